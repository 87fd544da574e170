#!/usr/bin/env bash
# Shows that scripts/check-layering can fail: it runs the check on small fake trees in a
# temporary folder and expects exit 1 naming every offending file (and no clean one) for a
# tree that breaks each rule, exit 0 for a clean tree, and exit 2 for a folder without sources.
#
# Usage: tests/layering_selftest.sh [CHECK_SCRIPT]   (default: scripts/check-layering of this
# repository). Prints what failed; exit 0 when every expectation holds.
set -uo pipefail

here=${BASH_SOURCE[0]}
[[ $here == */* ]] && here=${here%/*} || here=.
check=${1:-$here/../scripts/check-layering}
if [[ ! -x $check ]]; then
  echo "layering selftest: $check is not an executable file" >&2
  exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/layering-selftest.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# put ROOT FILE LINE...: writes FILE under ROOT with one line per argument.
put() {
  local root=$1 file=$2
  shift 2
  mkdir -p "$root/${file%/*}"
  printf '%s\n' "$@" >"$root/$file"
}

# A tree that breaks each rule once, beside files that follow them.
bad=$scratch/bad
put "$bad" core/engine/x.cpp '#include "core/engine/engine.h"' '#include "server/http/router.h"'
put "$bad" core/y.cpp '#include <vector>' '#include <boost/beast/core.hpp>'
put "$bad" core/engine/relative.cpp '#include "../../server/http/router.h"'
put "$bad" core/tools/tool.cpp '#include "bench/client/report.h"'
put "$bad" common/c.h '#include "codec/audio/pcm.h"'
put "$bad" proto/b.h '#include <nlohmann/json.hpp>' '#include <boost/asio/io_context.hpp>'
put "$bad" codec/tools/t.cpp '#include "proto/errors.h"'
put "$bad" server/s.cpp '#include "core/engine/engine.h"' '#include "bench/client/options.h"'
put "$bad" text/read/r.cpp '#include "core/tokenizer/tokenizer.h"'
put "$bad" text/t.cpp '#include "common/log/log.h"' '#include <boost/asio/io_context.hpp>'
# These follow the rules and must not be named.
put "$bad" proto/a.cpp '#include "proto/errors.h"' '#include <nlohmann/json.hpp>'
put "$bad" core/model/m.cpp '#include "codec/mimi/mimi.h"' '#include "common/log/log.h"' \
  '// #include "server/http/router.h"' '#include "local.h"'
put "$bad" server/ok.cpp '#include <boost/beast/core.hpp>' '#include "proto/errors.h"' \
  '#include "text/normalizer.h"'
put "$bad" text/ok.cpp '#include "text/normalizer.h"' '#include "common/log/log.h"'

out=$("$check" "$bad" 2>&1)
rc=$?
[[ $rc -eq 1 ]] || fail "bad tree: exit $rc, expected 1"
for offender in core/engine/x.cpp:2 core/y.cpp:2 core/engine/relative.cpp:1 core/tools/tool.cpp:1 \
                common/c.h:1 proto/b.h:2 codec/tools/t.cpp:1 server/s.cpp:2 text/read/r.cpp:1 \
                text/t.cpp:2; do
  grep -q "^$offender: " <<<"$out" || fail "bad tree: $offender not reported"
done
for clean in proto/a.cpp core/model/m.cpp server/ok.cpp text/ok.cpp core/engine/x.cpp:1 \
             server/s.cpp:1 text/t.cpp:1; do
  ! grep -q "^${clean}:" <<<"$out" || fail "bad tree: $clean reported but follows the rules"
done
grep -qx 'layering: 14 files checked, 10 violations' <<<"$out" ||
  fail "bad tree: summary line missing or wrong"

# The same folders, every include allowed.
good=$scratch/good
put "$good" proto/a.cpp '#include "proto/errors.h"' '#include <nlohmann/json.hpp>'
put "$good" common/log.h '#include "common/config/config.h"'
put "$good" codec/audio/e.cpp '#include "codec/audio/pcm.h"' '#include "common/log/log.h"'
put "$good" core/engine/z.cpp '#include "codec/mimi/mimi.h"' '#include "core/model/generator.h"'
put "$good" server/s.cpp '#include "core/engine/engine.h"' '#include "proto/errors.h"' \
  '#include <boost/asio/post.hpp>'
out_good=$("$check" "$good" 2>&1)
rc=$?
[[ $rc -eq 0 ]] || fail "clean tree: exit $rc, expected 0"
grep -qx 'layering: 5 files checked, 0 violations' <<<"$out_good" ||
  fail "clean tree: summary line missing or wrong"

# A folder without sources is a usage error, never a pass.
mkdir -p "$scratch/empty"
"$check" "$scratch/empty" >/dev/null 2>&1
rc=$?
[[ $rc -eq 2 ]] || fail "empty folder: exit $rc, expected 2"

if [[ $failures -gt 0 ]]; then
  echo "--- check-layering on the bad tree:"
  echo "$out"
  echo "--- on the clean tree:"
  echo "$out_good"
  echo "layering selftest: $failures failed"
  exit 1
fi
echo "layering selftest: passed"
