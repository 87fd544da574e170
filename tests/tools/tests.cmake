# Every executable in build/bin (but the test and fuzz binaries) answers --help with its usage
# and exit 0, and an unknown flag with the usage and exit 2, writing nothing
# (tests/tools/every_tool_test.sh); so do the repository's scripts (shell and Python). The
# tools are built by `all`, before ctest runs.
add_test(NAME "tools: every tool answers --help and unknown flags"
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/every_tool_test.sh ${CMAKE_BINARY_DIR}/bin
                 ${PROJECT_SOURCE_DIR}/bench/soak ${PROJECT_SOURCE_DIR}/bench/fullsize
                 ${PROJECT_SOURCE_DIR}/bench/frame-path-cpu
                 ${PROJECT_SOURCE_DIR}/bench/client/demo-bench.sh
                 ${PROJECT_SOURCE_DIR}/scripts/install-deps ${PROJECT_SOURCE_DIR}/scripts/check-layering
                 ${PROJECT_SOURCE_DIR}/scripts/device-check ${PROJECT_SOURCE_DIR}/scripts/fetch-device-deps
                 ${PROJECT_SOURCE_DIR}/docker/check-debian13.sh ${PROJECT_SOURCE_DIR}/docker/check-image.sh
                 ${PROJECT_SOURCE_DIR}/tests/fullsize/run-fullsize.sh
                 ${PROJECT_SOURCE_DIR}/examples/stream_to_file.py
                 ${PROJECT_SOURCE_DIR}/tests/examples/run-stream-to-file.py
                 ${PROJECT_SOURCE_DIR}/clients/python/csm-say
                 ${PROJECT_SOURCE_DIR}/tests/clients/run-python-client.py
                 ${PROJECT_SOURCE_DIR}/tests/deploy/run-deploy-test.py)
set_tests_properties("tools: every tool answers --help and unknown flags"
                     PROPERTIES LABELS tools TIMEOUT 900)
