#!/usr/bin/env bash
# Builds the audio reader fuzz target with clang (libFuzzer + ASan + UBSan) and runs it for a
# bounded time on seeds made at run time (WAV in several sample formats, Ogg Opus).
#   tests/codec/audio/fuzz/run-fuzz.sh BUILD_DIR [SECONDS]     (default 60 s)
# Exit status 0: no finding; otherwise libFuzzer's status, with the crashing input saved in
# BUILD_DIR/fuzz-audio/findings/.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../../.." && pwd)
out="$(mkdir -p "$1" && cd "$1" && pwd)/fuzz-audio"
seconds="${2:-60}"
mkdir -p "$out/obj" "$out/seeds" "$out/corpus" "$out/findings"

sources=(audio_error pcm resampler decode_limits wav_reader ogg_opus_reader audio_decoder)
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
       -I"$src" $(pkg-config --cflags opus opusfile soxr ogg))
objects=()
for s in "${sources[@]}"; do
  o="$out/obj/$s.o"
  if [[ ! -f "$o" || "$src/codec/audio/$s.cpp" -nt "$o" ]]; then
    clang++ "${flags[@]}" -c "$src/codec/audio/$s.cpp" -o "$o"
  fi
  objects+=("$o")
done
target="$src/tests/codec/audio/fuzz/fuzz_audio_readers.cc"
if [[ ! -x "$out/fuzz-audio-readers" || "$target" -nt "$out/fuzz-audio-readers" ]] ||
   [[ -n "$(find "$src/codec/audio" -newer "$out/fuzz-audio-readers" -name '*.h')" ]]; then
  clang++ "${flags[@]}" -fsanitize=fuzzer "$target" "${objects[@]}" \
    $(pkg-config --libs opusfile opus ogg soxr) -o "$out/fuzz-audio-readers"
fi

# Seeds: short, valid files of every kind the readers accept.
if command -v ffmpeg >/dev/null; then
  for codec in pcm_u8 pcm_s16le pcm_s24le pcm_s32le pcm_f32le pcm_f64le; do
    ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=16000:duration=0.05" \
      -ac 2 -c:a "$codec" "$out/seeds/$codec.wav"
  done
  ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=0.1" \
    -c:a libopus "$out/seeds/tone.opus" 2>/dev/null || true
fi
if command -v opusenc >/dev/null; then
  opusenc --quiet "$out/seeds/pcm_s16le.wav" "$out/seeds/opusenc.opus"
fi

cd "$out/findings"
"$out/fuzz-audio-readers" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
  -timeout=10 -print_final_stats=1 "$out/corpus" "$out/seeds"
