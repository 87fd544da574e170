#!/usr/bin/env bash
# Runs a built csm-server image the way a deployment does and checks it:
#   1. it starts as a non-root user with a read-only root filesystem (only /tmp writable, a
#      tmpfs) and /readyz answers 200 through the published port;
#   2. a csm-bench run (WebSocket, 4 sessions x 2 turns) through that port completes with
#      every turn served (its TTFA and underruns are printed);
#   3. SIGTERM while a turn is speaking: the turn finishes (drain), the process exits 0.
# Prints the image's size and each check's result; exit 0 when all pass.
#
# usage: docker/check-image.sh [--engine podman|docker] [--port N] [--bench PATH] [IMAGE]
#   IMAGE    default csm-server:cpu (built with docker/Dockerfile)
#   --port   host port to publish (default 18080)
#   --bench  the csm-bench binary (default build/bin/csm-bench)
# With podman on hosts whose container networking is limited, CSM_CHECK_NETWORK=host runs the
# container on the host's network instead of publishing the port.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
engine=""
port=18080
bench=build/bin/csm-bench
image=""
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --engine) engine=${2:?--engine needs a value}; shift 2 ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --bench) bench=${2:?--bench needs a value}; shift 2 ;;
    --*) echo "check-image: unknown flag $1" >&2; usage >&2; exit 2 ;;
    *) [[ -z $image ]] || { echo "check-image: one image only" >&2; usage >&2; exit 2; }
       image=$1; shift ;;
  esac
done
image=${image:-csm-server:cpu}
if [[ -z $engine ]]; then
  if command -v podman >/dev/null; then engine=podman; else engine=docker; fi
fi
[[ -x $bench ]] || { echo "check-image: $bench not found (build the project first)" >&2; exit 2; }

run=("$engine")
[[ $engine == podman ]] && run+=(--runtime runc)
failures=0
field() {  # field FILE KEY: a top-level value of a csm-bench JSON report (0 when absent)
  python3 -c 'import json,sys
try: v = json.load(open(sys.argv[1])).get(sys.argv[2], 0)
except (OSError, ValueError): v = 0
print(v.get("p50", 0) if isinstance(v, dict) else v)' "$1" "$2"
}
check() {  # check WHAT CONDITION-RESULT(0/1)
  if [[ $2 == 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

size=$("${run[@]}" image inspect --format '{{.Size}}' "$image")
echo "image $image: $((size / 1024 / 1024)) MiB"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/check-image.XXXXXX")
name=csm-check-$$
cleanup() {
  "${run[@]}" rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

net=(-p "127.0.0.1:$port:$port")
[[ ${CSM_CHECK_NETWORK:-} == host ]] && net=(--network host)
"${run[@]}" run -d --name "$name" --read-only --tmpfs /tmp:rw,size=64m "${net[@]}" "$image" \
  --config /app/configs/demo.json --set server.host=0.0.0.0 --set "server.port=$port" \
  --set limits.shutdown_drain_ms=10000 >/dev/null

ready=1
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >"$scratch/readyz.json" 2>/dev/null; then
    ready=0
    break
  fi
  sleep 0.5
done
check "/readyz answers 200 through port $port ($(cat "$scratch/readyz.json" 2>/dev/null | head -c 80))" $ready
if ((ready != 0)); then
  "${run[@]}" logs "$name" 2>&1 | tail -20
  exit 1
fi

uid=$("${run[@]}" exec "$name" id -u)
check "runs as a non-root user (uid $uid)" $([[ $uid != 0 ]] && echo 0 || echo 1)
"${run[@]}" exec "$name" sh -c 'touch /app/x' 2>/dev/null && rw=1 || rw=0
check "the root filesystem is read-only (writing /app fails)" $rw
"${run[@]}" exec "$name" sh -c 'touch /tmp/x' 2>/dev/null && tmp=0 || tmp=1
check "/tmp is writable" $tmp

"$bench" --url "ws://127.0.0.1:$port" --sessions 4 --turns 2 --think-ms 200 --max-audio-ms 1600 \
  --json "$scratch/bench.json" --no-progress >"$scratch/bench.txt" 2>&1 && bench_rc=0 || bench_rc=$?
turns=$(field "$scratch/bench.json" turns_completed)
check "csm-bench through the port: exit $bench_rc, $turns of 8 turns completed (TTFA p50 \
$(field "$scratch/bench.json" ttfa_ms) ms, $(field "$scratch/bench.json" underruns) underruns)" \
  $([[ $bench_rc == 0 && $turns == 8 ]] && echo 0 || echo 1)
((bench_rc == 0)) || tail -20 "$scratch/bench.txt"

# SIGTERM while a 4 s turn speaks: the turn completes within the drain, the process exits 0.
"$bench" --url "ws://127.0.0.1:$port" --sessions 1 --turns 1 --max-audio-ms 4000 \
  --json "$scratch/drain.json" --no-progress >"$scratch/drain.txt" 2>&1 &
bench_pid=$!
sleep 1.5
"${run[@]}" kill --signal TERM "$name" >/dev/null
wait "$bench_pid" && drain_rc=0 || drain_rc=$?
exit_code=$("${run[@]}" wait "$name")
drained=$(field "$scratch/drain.json" turns_completed)
check "SIGTERM mid-turn: the turn finished (bench exit $drain_rc, $drained of 1 completed)" \
  $([[ $drain_rc == 0 && $drained == 1 ]] && echo 0 || echo 1)
check "SIGTERM: the server exited with status $exit_code" $([[ $exit_code == 0 ]] && echo 0 || echo 1)
"${run[@]}" logs "$name" >"$scratch/server.log" 2>&1 || true
grep -q '"shutting down"' "$scratch/server.log" && said=0 || said=1
check "the log says it was shutting down" $said

if ((failures > 0)); then
  echo "check-image: $failures checks failed"
  exit 1
fi
echo "check-image: all checks passed"
