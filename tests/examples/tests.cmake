# The client examples of examples/ against a demo server (label examples): stream_to_file.py
# writes an Ogg Opus file and WAVs from /v1/stream, checked with ffprobe, ffmpeg and opusinfo
# (tests/examples/run-stream-to-file.py). Skipped (77) without python3-websockets, ffmpeg or
# opus-tools (scripts/install-deps --with-test-tools).
add_test(NAME "examples: stream_to_file.py writes Ogg Opus and WAV of exactly audio_ms"
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/run-stream-to-file.py ${CMAKE_BINARY_DIR})
set_tests_properties("examples: stream_to_file.py writes Ogg Opus and WAV of exactly audio_ms"
                     PROPERTIES LABELS examples TIMEOUT 180 SKIP_RETURN_CODE 77)
