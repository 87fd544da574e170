# The client libraries of clients/ against a demo server (label clients): the Python package
# csm_client (speak, cancel with played_ms, streamed text, context audio, Opus through ctypes,
# errors, keepalive, the csm-say command, pip install; tests/clients/run-python-client.py).
# Skipped (77) without python3-websockets or ffprobe.
add_test(NAME "clients: Python csm_client against a demo server"
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/run-python-client.py ${CMAKE_BINARY_DIR})
set_tests_properties("clients: Python csm_client against a demo server"
                     PROPERTIES LABELS clients TIMEOUT 300 SKIP_RETURN_CODE 77)
