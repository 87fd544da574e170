#!/bin/sh
# Starts the demo csm-server on a free port, runs csm-bench against it with the given flags,
# then stops the server. Run from the repository root.
#   usage: bench/client/demo-bench.sh BUILD_DIR [csm-bench flags...]
#   e.g.   bench/client/demo-bench.sh build --sessions 4 --turns 3
set -eu
usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  "" | -*) usage >&2; exit 2 ;;
esac
[ -x "$1/bin/csm-server" ] || { echo "demo-bench.sh: $1 is not a build folder (no bin/csm-server)" >&2; exit 2; }
build=$1
shift
out=$(mktemp)
err=$(mktemp)
OMP_WAIT_POLICY=PASSIVE "$build/bin/csm-server" --config configs/demo.json \
  --set server.port=0 >"$out" 2>"$err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$out" "$err"' EXIT
i=0
while ! grep -q "listening on" "$out" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$out")
if [ -z "$port" ]; then
  echo "csm-server did not start:" >&2
  cat "$err" >&2
  exit 1
fi
"$build/bin/csm-bench" --url "ws://127.0.0.1:$port" "$@"
