# The WebSocket streaming tests ([ws]) once more with the demo model's linear weights in int8
# (model.weights = "int8", quantized at load time; support/test_server.h reads
# CSM_TEST_MODEL_WEIGHTS): frames, cadence, encoders, cancel and shutdown on the int8 path.
if(TARGET csm-tests-server)
  set(_int8_test "server: the [ws] streaming tests with model.weights = int8")
  add_test(NAME "${_int8_test}" COMMAND csm-tests-server ${catch_no_tests_option} "[ws]")
  set_tests_properties("${_int8_test}" PROPERTIES
    LABELS "server;int8" ENVIRONMENT "CSM_TEST_MODEL_WEIGHTS=int8"
    SKIP_RETURN_CODE ${CSM_SKIP_EXIT_CODE} TIMEOUT ${CSM_TEST_TIMEOUT})
endif()
