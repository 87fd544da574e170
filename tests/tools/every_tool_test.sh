#!/usr/bin/env bash
# Every command-line tool in the build's bin folder answers like the others (common/cli/args.h):
#   TOOL --help          exit 0, the usage ("usage: TOOL ...") on stdout
#   TOOL --no-such-flag  exit 2, the usage on stderr
# and neither writes anything into the working directory. Test and fuzz binaries are left
# out by name pattern, so a new tool is covered as soon as it is built. The SCRIPTs (the
# repository's shell tools) are held to the same, their usage anywhere on stdout.
# Usage: every_tool_test.sh BIN_DIR [SCRIPT...]
set -u

bin_dir=${1:?usage: every_tool_test.sh BIN_DIR [SCRIPT...]}
[[ -d $bin_dir ]] || { echo "every_tool_test: no folder $bin_dir"; exit 1; }
bin_dir=$(cd "$bin_dir" && pwd)
shift
scripts=()
for script in "$@"; do scripts+=("$(realpath -- "$script")"); done

is_test_binary() {
  case $1 in
    csm-tests-* | fuzz-* | *-fuzz | *_fuzzer) return 0 ;;
    *) return 1 ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
checked=0

# check TOOL ARG WANT_RC: runs TOOL ARG in an empty folder; prints what is wrong, if anything.
# TOOL is a name in BIN_DIR or a script's path.
check() {
  local tool=$1 arg=$2 want_rc=$3 dir="$work/run" rc problems=() path
  [[ $tool == */* ]] && path=$tool || path=$bin_dir/$tool
  rm -rf "$dir" && mkdir "$dir"
  (cd "$dir" && timeout 20 "$path" "$arg" </dev/null >"$work/stdout" 2>"$work/stderr")
  rc=$?
  [[ $rc == "$want_rc" ]] || problems+=("exit status $rc, want $want_rc")
  if [[ $arg == --help && $tool == */* ]]; then
    grep -qi "usage:" "$work/stdout" || problems+=("no usage on stdout")
  elif [[ $arg == --help ]]; then
    head -c 200 "$work/stdout" | head -n 1 | grep -Eq "^usage: $tool( |\$)" ||
      problems+=("stdout does not start with 'usage: $tool'")
  else
    grep -q "usage:" "$work/stderr" || problems+=("no usage on stderr")
  fi
  [[ -z $(ls -A "$dir") ]] || problems+=("left in the working directory: $(ls -A "$dir" | tr '\n' ' ')")
  if ((${#problems[@]})); then
    local message
    message=$(printf '%s; ' "${problems[@]}")
    echo "FAIL $tool $arg: ${message%; }"
    sed 's/^/    stderr: /' "$work/stderr" | head -n 5
    return 1
  fi
  echo "ok   $tool $arg"
}

# The tools of BIN_DIR by name, then the scripts by path.
tools=()
for path in "$bin_dir"/*; do
  tool=$(basename "$path")
  [[ -f $path && -x $path ]] || continue
  is_test_binary "$tool" || tools+=("$tool")
done
tools+=("${scripts[@]}")

for tool in "${tools[@]}"; do
  checked=$((checked + 1))
  ok=1
  check "$tool" --help 0 || ok=0
  check "$tool" --no-such-flag 2 || ok=0
  ((ok)) || failed+=("$tool")
done

if ((checked == 0)); then
  echo "every_tool_test: no tools in $bin_dir"
  exit 1
fi
if ((${#failed[@]})); then
  echo "${#failed[@]} of $checked tools fail: ${failed[*]}"
  exit 1
fi
echo "all $checked tools and scripts answer --help and unknown flags"
