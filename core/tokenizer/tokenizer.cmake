# Included from core/CMakeLists.txt (after csm_core is defined).

# The isolated SentencePiece module (see core/tokenizer/sentencepiece_abi.h): the only target
# that links Debian's libsentencepiece, whose bundled protobuf clashes with libtorch's. csm_core
# dlopen()s it from <exe>/../lib, so it sits in build/lib (and PREFIX/lib when installed).
add_library(csm_sentencepiece MODULE ${CMAKE_CURRENT_LIST_DIR}/sentencepiece_module/sentencepiece_module.cpp)
target_include_directories(csm_sentencepiece PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(csm_sentencepiece PRIVATE PkgConfig::SENTENCEPIECE)
set_target_properties(csm_sentencepiece PROPERTIES
  PREFIX "lib" OUTPUT_NAME csm_sentencepiece
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
csm_warnings(csm_sentencepiece)
add_dependencies(csm_core csm_sentencepiece)
if(CSM_SANITIZE)
  # The sanitizer runtimes refuse RTLD_DEEPBIND: the module goes into a namespace of its own
  # (dlmopen) and carries no instrumentation (a second sanitizer runtime could not load there).
  target_compile_options(csm_sentencepiece PRIVATE -fno-sanitize=all)
  target_link_options(csm_sentencepiece PRIVATE -fno-sanitize=all)
  target_compile_definitions(csm_core PRIVATE CSM_SPM_OWN_NAMESPACE)
endif()
install(TARGETS csm_sentencepiece LIBRARY DESTINATION lib)

# Demo tokenizer: a small SentencePiece model trained at build time from a text in the repo
# (byte fallback, so any UTF-8 text encodes). Output: build/share/demo-tokenizer.model.
find_program(CSM_SPM_TRAIN spm_train REQUIRED)
set(CSM_DEMO_TOKENIZER ${CMAKE_BINARY_DIR}/share/demo-tokenizer.model)
set(CSM_DEMO_CORPUS ${CMAKE_CURRENT_LIST_DIR}/demo/demo_corpus.txt)
add_custom_command(
  OUTPUT ${CSM_DEMO_TOKENIZER}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/share
  COMMAND ${CSM_SPM_TRAIN} --input=${CSM_DEMO_CORPUS} --model_prefix=${CMAKE_BINARY_DIR}/share/demo-tokenizer
          --model_type=bpe --vocab_size=1000 --hard_vocab_limit=false --character_coverage=1.0
          --byte_fallback=true --num_threads=1 --minloglevel=2
  DEPENDS ${CSM_DEMO_CORPUS}
  COMMENT "Training the demo SentencePiece tokenizer (build/share/demo-tokenizer.model)"
  VERBATIM)
add_custom_target(csm_demo_tokenizer ALL DEPENDS ${CSM_DEMO_TOKENIZER})
add_dependencies(csm_core csm_demo_tokenizer)
install(FILES ${CSM_DEMO_TOKENIZER} DESTINATION share/csm)
