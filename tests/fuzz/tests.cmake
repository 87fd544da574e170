# libFuzzer runs over every parser of untrusted input (tests/fuzz/run-fuzz.sh builds each
# target with clang, ASan and UBSan): CSM_FUZZ_SECONDS each in CI, `make fuzz` for long runs.
find_program(CSM_CLANGXX clang++)
set(CSM_FUZZ_SECONDS 15 CACHE STRING "Seconds each parser fuzz test runs under ctest")
if(CSM_CLANGXX)
  foreach(_target client_message speech_request request_target sentence_splitter config
                  tokenizer_json safetensors_header utf8)
    add_test(NAME "fuzz: ${_target}"
             COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/run-fuzz.sh ${PROJECT_BINARY_DIR}
                     ${_target} ${CSM_FUZZ_SECONDS})
    set_tests_properties("fuzz: ${_target}" PROPERTIES LABELS fuzz TIMEOUT 900)
  endforeach()
endif()
