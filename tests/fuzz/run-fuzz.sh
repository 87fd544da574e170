#!/usr/bin/env bash
# Builds one libFuzzer target of tests/fuzz with clang (libFuzzer + ASan + UBSan) and runs it
# for a bounded time on the seeds in tests/fuzz/seeds/TARGET plus the corpus it grew before.
#   tests/fuzz/run-fuzz.sh BUILD_DIR TARGET [SECONDS]     (default 60 s)
# TARGET: client_message speech_request request_target sentence_splitter config
#         tokenizer_json safetensors_header utf8
# Exit status 0: no finding; otherwise libFuzzer's status, the input kept in
# BUILD_DIR/fuzz/TARGET/findings/. The last lines are libFuzzer's final stats
# (stat::number_of_executed_units = executions).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
target=${2:?usage: run-fuzz.sh BUILD_DIR TARGET [SECONDS]}
seconds=${3:-60}
out="$(mkdir -p "$1" && cd "$1" && pwd)/fuzz/$target"
mkdir -p "$out/obj" "$out/corpus" "$out/findings"

# The sources each target links (paths under the repository), and extra flags.
case "$target" in
  client_message)
    sources=(proto/client_messages proto/json_parse proto/json_fields proto/base64 proto/utf8
             proto/audio_format proto/errors) ;;
  speech_request)
    sources=(proto/speech_request proto/json_parse proto/json_fields proto/utf8
             proto/audio_format proto/errors) ;;
  request_target) sources=(server/access/api_keys) ;;
  sentence_splitter)
    sources=(server/stream/sentence_splitter text/abbreviations text/rules/abbreviations
             text/rules/calendar text/internal/token) ;;
  config)
    sources=(common/config/config server/config/server_config core/engine/engine_options
             common/device/device_name) ;;
  tokenizer_json)
    sources=(core/tokenizer/bpe_tokenizer_json core/tokenizer/bpe_tokenizer
             core/tokenizer/bpe_model core/tokenizer/byte_level core/tokenizer/regex_splitter
             core/tokenizer/special_tokens core/tokenizer/utf8) ;;
  safetensors_header) sources=(common/safetensors/header) ;;
  utf8) sources=(proto/utf8 core/tokenizer/utf8) ;;
  *) echo "run-fuzz.sh: unknown target $target" >&2; exit 2 ;;
esac
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -I"$src" $(pkg-config --cflags libpcre2-8))
libs=()
[[ $target == tokenizer_json ]] && libs=($(pkg-config --libs libpcre2-8))

objects=()
for s in "${sources[@]}"; do
  o="$out/obj/${s//\//_}.o"
  if [[ ! -f "$o" || "$src/$s.cpp" -nt "$o" || -n "$(find "$src/$(dirname "$s")" -name '*.h' -newer "$o")" ]]; then
    clang++ "${flags[@]}" -c "$src/$s.cpp" -o "$o"
  fi
  objects+=("$o")
done
binary="$out/fuzz-$target"
main="$src/tests/fuzz/fuzz_$target.cc"
if [[ ! -x "$binary" || "$main" -nt "$binary" ]] || [[ -n "$(find "${objects[@]}" -newer "$binary")" ]]; then
  clang++ "${flags[@]}" -fsanitize=fuzzer "$main" "${objects[@]}" "${libs[@]}" -o "$binary"
fi

cd "$out/findings"
"$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 "$out/corpus" "$src/tests/fuzz/seeds/$target"
