#!/usr/bin/env bash
# The path a user with the released weights takes, at full size: configs/csm-1b.json pointed at
# a CSM-1B checkpoint, a Mimi checkpoint and the Llama-3 tokenizer.json, a voice folder with a
# spoken WAV prompt, then one WebSocket turn and one REST turn. The checkpoints are random
# weights written by csm-make-random-checkpoint in the released files' names, layouts and
# dtypes (the audio is noise; what is checked is that everything loads and runs at that size).
#
#   usage: run-fullsize.sh BUILD_DIR TOKENIZER_JSON [WORK_DIR]
#
# One case per layout combination (CSM original/HF x Mimi moshi/HF, the HF CSM file with its
# bundled Mimi). Each case checks the start-up log (layouts, dtype, resident memory, the
# voice), /readyz, /v1/models, /v1/voices, a WebSocket turn through csm-bench (every Opus frame
# decoded, exactly max_audio_ms of audio) and a REST WAV checked by ffprobe, then a clean
# SIGTERM exit. WORK_DIR (default BUILD_DIR/fullsize) keeps the 7.4 GB of checkpoints between
# runs; they are written again when csm-make-random-checkpoint is newer than them.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
esac
if [ $# -lt 2 ] || [[ $1 == -* || $2 == -* ]]; then
  usage >&2
  exit 2
fi
# Absolute paths: the server resolves relative --set paths against the config's folder.
build=$(cd "$1" && pwd)
tokenizer=$(realpath -- "$2")
work=${3:-$build/fullsize}
mkdir -p "$work"
work=$(cd "$work" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/bin
max_audio_ms=400
for tool in curl jq ffprobe espeak-ng; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps --with-test-tools)" >&2; exit 1; }
done
[ -f "$tokenizer" ] || { echo "FAIL: no tokenizer.json at $tokenizer" >&2; exit 1; }

fail() {
  echo "FAIL [$case_name]: $*" >&2
  if [ -n "${log:-}" ] && [ -f "$log" ]; then
    echo "--- server log (last 30 lines) ---" >&2
    tail -30 "$log" >&2
  fi
  exit 1
}

# Seconds since a `date +%s.%N` time.
elapsed_since() {
  awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'
}

# 1. Checkpoints at the released shapes, both layouts.
case_name=checkpoints
ckpt=$work/checkpoints
if [ ! -f "$ckpt/.complete" ] || [ "$bin/csm-make-random-checkpoint" -nt "$ckpt/.complete" ]; then
  rm -rf "$ckpt"
  started=$(date +%s.%N)
  "$bin/csm-make-random-checkpoint" --out "$ckpt" || fail "csm-make-random-checkpoint failed"
  touch "$ckpt/.complete"
  echo "checkpoints written in $(elapsed_since "$started") s"
fi

# 2. A voice folder: a spoken prompt (espeak-ng, 22.05 kHz WAV, resampled by the server) that
# the full-size Mimi encodes at start-up.
voices=$work/voices
mkdir -p "$voices"
prompt_text="Good morning. I will read the weather for today, and then the news."
espeak-ng -w "$voices/narrator.wav" "$prompt_text"
jq -n --arg text "$prompt_text" '{speaker: 0, text: $text, audio: "narrator.wav"}' \
  >"$voices/narrator.json"

# The JSON log line with this message (the last one), or fail.
log_line() {
  local line
  line=$(grep "\"msg\":\"$1\"" "$log" | tail -1) || true
  [ -n "$line" ] || fail "no '$1' line in the start-up log"
  echo "$line"
}

# run_case NAME CSM_FILE MIMI_FILE CSM_LAYOUT MIMI_LAYOUT (MIMI_FILE empty: the bundled Mimi)
run_case() {
  case_name=$1
  local csm=$2 mimi=$3 csm_layout=$4 mimi_layout=$5
  local dir=$work/$case_name
  rm -rf "$dir"
  mkdir -p "$dir"
  log=$dir/server.log
  local out=$dir/server.out started
  started=$(date +%s.%N)
  OMP_WAIT_POLICY=PASSIVE "$bin/csm-server" --config "$source_dir/configs/csm-1b.json" \
    --set model.device=cpu --set server.port=0 --set auth.api_keys_env= \
    --set model.csm_checkpoint="$csm" --set model.mimi_checkpoint="$mimi" \
    --set model.tokenizer="$tokenizer" --set model.voices_dir="$voices" \
    --set engine.max_sessions=2 >"$out" 2>"$log" &
  server_pid=$!
  local port="" i
  for i in $(seq 1 600); do
    port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "csm-server exited during start-up"
    sleep 0.5
  done
  [ -n "$port" ] || fail "csm-server did not listen within 300 s"
  local url=http://127.0.0.1:$port
  curl -sf "$url/readyz" >"$dir/readyz.json" || fail "/readyz is not 200"
  local startup_s
  startup_s=$(elapsed_since "$started")

  # The start-up log says what was loaded, how, and what it holds: more than any small model
  # (the embeddings' pages come in only as rows are used, so resident memory after load is
  # about the linear weights, 2204 MiB in bf16, plus Mimi).
  log_line "csm model loaded" | jq -e --arg l "$csm_layout" \
    '.layout == $l and .model == "csm-1b"' >/dev/null || fail "CSM layout is not $csm_layout"
  log_line "mimi model loaded" | jq -e --arg l "$mimi_layout" --arg f "${mimi:-$csm}" \
    '.layout == $l and .weights == $f and .dtype == "float32"' >/dev/null ||
    fail "Mimi was not loaded from ${mimi:-$csm} in the $mimi_layout layout"
  local loaded resident_mib
  loaded=$(log_line "models loaded")
  echo "$loaded" | jq -e '.model == "csm-1b" and .dtype == "bfloat16" and .device == "cpu" and
    .tokenizer == "llama3-bpe" and .voices == 1 and .resident_mib > 1000' >/dev/null ||
    fail "unexpected 'models loaded' line: $loaded"
  resident_mib=$(echo "$loaded" | jq .resident_mib)

  curl -sf "$url/v1/models" | jq -e '[.data[].id] | index("csm-1b") != null' >/dev/null ||
    fail "/v1/models does not list csm-1b"
  curl -sf "$url/v1/voices" | jq -e 'tostring | contains("narrator")' >/dev/null ||
    fail "/v1/voices does not list the narrator voice"

  # One WebSocket turn: every frame must decode to 80 ms of Opus; exactly max_audio_ms of it.
  "$bin/csm-bench" --url "ws://127.0.0.1:$port" --sessions 1 --turns 1 --voice narrator \
    --max-audio-ms "$max_audio_ms" --seed 7 --json "$dir/ws.json" --no-progress \
    >"$dir/ws.txt" 2>&1 || fail "csm-bench failed: $(tail -5 "$dir/ws.txt")"
  jq -e --argjson n $((max_audio_ms / 80)) '.turns_completed == 1 and .turns_failed == 0 and
    .frames == $n and .bad_frames == 0' "$dir/ws.json" >/dev/null ||
    fail "WebSocket turn: $(jq -c '{turns_completed, turns_failed, frames, bad_frames, errors}' "$dir/ws.json")"
  local ttfa_ms
  ttfa_ms=$(jq '.ttfa_ms.p50 | round' "$dir/ws.json")

  # One REST turn: a WAV of exactly max_audio_ms at 24 kHz.
  local status
  status=$(curl -s -o "$dir/speech.wav" -w '%{http_code}' -X POST "$url/v1/audio/speech" \
    -H 'Content-Type: application/json' \
    -d "{\"model\": \"csm-1b\", \"voice\": \"narrator\", \"input\": \"The forecast says rain.\", \"response_format\": \"wav\", \"max_audio_ms\": $max_audio_ms}")
  [ "$status" = 200 ] || fail "REST turn: HTTP $status: $(head -c 300 "$dir/speech.wav")"
  ffprobe -v error -show_entries stream=codec_name,sample_rate,channels:format=duration \
    -of json "$dir/speech.wav" >"$dir/speech.json" || fail "ffprobe cannot read the REST WAV"
  jq -e --argjson s "$(awk "BEGIN { print $max_audio_ms / 1000 }")" '.streams[0].codec_name == "pcm_s16le" and
    .streams[0].sample_rate == "24000" and .streams[0].channels == 1 and
    ((.format.duration | tonumber) - $s | fabs) < 0.001' "$dir/speech.json" >/dev/null ||
    fail "REST WAV: $(jq -c . "$dir/speech.json")"

  # A clean exit on SIGTERM.
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  [ "$rc" = 0 ] || fail "csm-server exited with $rc after SIGTERM"
  # %.0f: jq 1.7 (Debian 13) prints a whole double as 4159.0, which %d refuses.
  printf '%-22s ok: start-up %5.1f s, resident %5.0f MiB, WebSocket TTFA %5.0f ms, %d frames + REST WAV %.2f s\n' \
    "$case_name" "$startup_s" "$resident_mib" "$ttfa_ms" "$((max_audio_ms / 80))" \
    "$(jq -r .format.duration "$dir/speech.json")"
}

server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; true' EXIT

run_case original+moshi "$ckpt/original/csm-1b/model.safetensors" \
  "$ckpt/original/mimi/tokenizer-e351c8d8-checkpoint125.safetensors" original moshi
run_case original+hf-mimi "$ckpt/original/csm-1b/model.safetensors" \
  "$ckpt/hf/mimi/model.safetensors" original huggingface
run_case hf+bundled-mimi "$ckpt/hf/csm-1b/model.safetensors" "" huggingface huggingface
run_case hf+moshi "$ckpt/hf/csm-1b/model.safetensors" \
  "$ckpt/original/mimi/tokenizer-e351c8d8-checkpoint125.safetensors" huggingface moshi
echo "fullsize: all 4 layout combinations passed"
