# Extra CTest registrations for codec/audio; included from tests/codec/tests.cmake:
#   include(${CMAKE_CURRENT_LIST_DIR}/audio.cmake)
# Fuzzes the WAV / Ogg Opus / raw PCM readers for a bounded time with libFuzzer (clang from
# Debian). The target is built by the script itself: it needs clang's sanitizer runtimes,
# which the g++ build does not use.
find_program(CSM_CLANGXX clang++)
set(CSM_AUDIO_FUZZ_SECONDS 30 CACHE STRING "Seconds the audio reader fuzz test runs")
if(CSM_CLANGXX)
  add_test(NAME "codec/audio: fuzz readers"
           COMMAND ${PROJECT_SOURCE_DIR}/tests/codec/audio/fuzz/run-fuzz.sh
                   ${PROJECT_BINARY_DIR} ${CSM_AUDIO_FUZZ_SECONDS})
  set_tests_properties("codec/audio: fuzz readers" PROPERTIES LABELS "codec;fuzz" TIMEOUT 600)
endif()
