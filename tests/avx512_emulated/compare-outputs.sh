#!/usr/bin/env bash
# Runs tests/support/avx512_kernel_outputs.cpp built with the real AVX512 kernels and built with
# the emulated ones, and compares the files they write byte for byte, naming each case that
# differs. Exit 0 the same, 1 not, 77 (skipped) where the CPU cannot run the real kernels.
# usage: compare-outputs.sh REAL_PROGRAM EMULATED_PROGRAM
set -euo pipefail
usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
(($# == 2)) || { usage >&2; exit 2; }
real=$1
emulated=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/real" "$dir/emulated"
rc=0
"$real" "$dir/real" || rc=$?
((rc != 77)) || exit 77
((rc == 0)) || { echo "FAIL: $real exited with $rc"; exit 1; }
"$emulated" "$dir/emulated"
cases=$(find "$dir/real" -name '*.bin' | wc -l)
((cases > 0)) || { echo "FAIL: $real wrote no case"; exit 1; }
if ! differing=$(diff -rq "$dir/real" "$dir/emulated"); then
  echo "FAIL: the emulated kernels differ from the real ones:"
  echo "$differing"
  exit 1
fi
echo "the emulated kernels gave the real ones' bytes in all $cases cases"
