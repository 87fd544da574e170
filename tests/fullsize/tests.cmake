# The full-size end-to-end test (label fullsize; `make test-fullsize` runs it alone): the
# server started as a user with the released weights starts it, configs/csm-1b.json pointed at
# CSM-1B and Mimi checkpoints at the released shapes in every layout combination, the real
# Llama-3 tokenizer.json (the npm fixture of the tokenizer tests) and a spoken voice prompt.
# It writes 7.4 GB of checkpoints into build/fullsize once, holds about 4.2 GB resident and
# keeps both cores busy, so it runs alone.
add_test(NAME "fullsize: configs/csm-1b.json serves released-layout checkpoints over WebSocket and REST"
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run-fullsize.sh ${CMAKE_BINARY_DIR} ${CSM_LLAMA3_TOKENIZER_JSON})
set_tests_properties("fullsize: configs/csm-1b.json serves released-layout checkpoints over WebSocket and REST"
  PROPERTIES FIXTURES_REQUIRED csm_tokenizer_node LABELS fullsize RUN_SERIAL TRUE TIMEOUT 1200)
