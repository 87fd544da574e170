# CSM parity: csm-parity over every folder of ${CSM_TEST_DATA_DIR}/golden/csm/ (model configs,
# rope/, sampler/). Each folder is one CTest test; a failing tensor fails it.
if(TARGET csm-parity)
  file(GLOB _csm_golden_dirs LIST_DIRECTORIES true ${CSM_TEST_DATA_DIR}/golden/csm/*)
  foreach(_dir ${_csm_golden_dirs})
    if(IS_DIRECTORY ${_dir})
      get_filename_component(_name ${_dir} NAME)
      add_test(NAME "core: csm-parity ${_name}" COMMAND csm-parity --golden ${_dir})
      set_tests_properties("core: csm-parity ${_name}" PROPERTIES LABELS "core;parity")
    endif()
  endforeach()
endif()
include(${CMAKE_CURRENT_LIST_DIR}/tokenizer.cmake)
