# mimi-parity over every golden folder of tests/data/golden/mimi/ (one CTest per folder).
if(TARGET mimi-parity)
  file(GLOB _mimi_golden_dirs LIST_DIRECTORIES true ${CSM_TEST_DATA_DIR}/golden/mimi/*)
  foreach(_dir ${_mimi_golden_dirs})
    if(IS_DIRECTORY ${_dir} AND EXISTS ${_dir}/cases.safetensors)
      get_filename_component(_case ${_dir} NAME)
      add_test(NAME "codec: mimi-parity ${_case}"
               COMMAND mimi-parity --golden ${_dir})
      set_tests_properties("codec: mimi-parity ${_case}" PROPERTIES LABELS codec)
    endif()
  endforeach()
endif()
include(${CMAKE_CURRENT_LIST_DIR}/audio.cmake)
