#!/usr/bin/env bash
# Builds the project and runs every test on Debian 13 (LibTorch 2.6, Boost 1.83, Catch2 3,
# FFmpeg 7, ICU 76, GCC 14) in a podman container, the way `make test` does on Debian 12:
#   1. builds the dev image (cached by podman): debian:13 plus
#      `scripts/install-deps --with-test-tools`;
#   2. copies the repository into a fresh container from that image (the working tree's
#      files that git tracks or does not ignore; with --head, `git archive HEAD`) and runs
#      `make test` there (install-deps, configure, build, ctest);
# then prints the result and the time each step took. Exit status: that of `make test`.
# With --cuda it checks the CUDA build instead: the dev image gets Debian 13's CUDA LibTorch
# (`scripts/install-deps --with-test-tools --cuda --without-cudnn`: libtorch-cuda-dev from
# contrib, CUDA 12.4 from non-free), and the container configures with -DCSM_CUDA=ON (the
# compile flags of docker/Dockerfile.cuda), builds every target and fails if the compiler
# printed any warning. It runs nothing: LibTorch CUDA does not load without cuDNN, which
# Debian's nvidia-cudnn downloads from NVIDIA (not reachable from a machine that reaches only
# Debian's mirror), so the links let libtorch_cuda's references to cuDNN stay unresolved; the
# CUDA code runs in scripts/device-check on a machine with a GPU.
# Too slow for CI (a cold build takes half an hour to an hour on 2 cores): run it by hand
# before a release. Needs podman and the base image docker.io/library/debian:13.
#
# usage: docker/check-debian13.sh [--cuda] [--head] [--jobs N] [--ccache DIR]
#                                 [--build-dir DIR] [--image TAG]
#   --cuda           the CUDA build check (above) instead of `make test`
#   --head           test the committed HEAD instead of the working tree
#   --jobs N         build and test jobs (default: the host's processor count)
#   --ccache DIR     keep the container's ccache in DIR on the host (later runs build faster)
#   --build-dir DIR  keep the container's build tree in DIR on the host (later runs rebuild
#                    only what changed; default: a fresh one in the container)
#   --image TAG      the dev image's tag (default csm-dev:13, with --cuda csm-cuda-dev:13)
# CSM_PODMAN_RUNTIME names podman's OCI runtime (default runc when installed; crun refuses
# hosts with hybrid cgroups); podman reads CONTAINERS_CONF as usual, where a host needs one.
set -euo pipefail

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }
cuda=0
head_only=0
jobs=""
ccache_dir=""
build_dir=""
image=""
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --cuda) cuda=1; shift ;;
    --head) head_only=1; shift ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
    --ccache) ccache_dir=${2:?--ccache needs a value}; shift 2 ;;
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift 2 ;;
    --image) image=${2:?--image needs a value}; shift 2 ;;
    *) echo "check-debian13: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -z $jobs || $jobs =~ ^[1-9][0-9]*$ ]] || { echo "check-debian13: --jobs wants a count" >&2; exit 2; }
jobs=${jobs:-$(nproc)}
deps_options="--with-test-tools"
((cuda == 0)) || deps_options+=" --cuda --without-cudnn"
[[ -n $image ]] || { ((cuda)) && image=csm-cuda-dev:13 || image=csm-dev:13; }
command -v podman >/dev/null || { echo "check-debian13: podman is not installed" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
podman=(podman)
runtime=${CSM_PODMAN_RUNTIME:-}
[[ -n $runtime ]] || ! command -v runc >/dev/null || runtime=runc
[[ -z $runtime ]] || podman+=(--runtime "$runtime")

context=$(mktemp -d "${TMPDIR:-/tmp}/check-debian13.XXXXXX")
trap 'rm -rf "$context"' EXIT
elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# 1. The dev image: only install-deps goes into it, so it is rebuilt only when that changes.
start=$(date +%s)
cp "$repo/scripts/install-deps" "$context/install-deps"
cat >"$context/Containerfile" <<EOF
FROM docker.io/library/debian:13
COPY install-deps /usr/local/bin/csm-install-deps
RUN csm-install-deps $deps_options && apt-get clean && rm -rf /var/lib/apt/lists/*
EOF
echo "check-debian13: dev image $image"
"${podman[@]}" build --network=host -t "$image" "$context"
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
image_time=$(elapsed "$start")
echo "check-debian13: dev image $image ready ($((size / 1024 / 1024)) MiB) in $image_time"

# 2. The sources, as a tar stream into a fresh container, then `make test` there.
sources() {
  if ((head_only)); then
    git -C "$repo" archive --format=tar HEAD
  else
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
      tar --null -T - -cf -)
  fi
}
volumes=()
# Behind a TLS-inspecting proxy the host trusts an extra CA (SSL_CERT_FILE or
# NODE_EXTRA_CA_CERTS names the bundle): the container's npm must trust it too.
host_ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
if [[ -n $host_ca && -r $host_ca ]]; then
  volumes+=(-v "$host_ca:/etc/csm-host-ca.crt:ro" -e NODE_EXTRA_CA_CERTS=/etc/csm-host-ca.crt
            -e npm_config_cafile=/etc/csm-host-ca.crt)
fi
if [[ -n $ccache_dir ]]; then
  mkdir -p "$ccache_dir"
  volumes+=(-v "$(cd "$ccache_dir" && pwd):/ccache" -e CCACHE_DIR=/ccache)
fi
make_build_dir=build
if [[ -n $build_dir ]]; then
  mkdir -p "$build_dir"
  volumes+=(-v "$(cd "$build_dir" && pwd):/build")
  make_build_dir=/build
fi
if ((cuda)); then
  step="the CUDA build"
  # Every compile's output (ccache replays a cached one's warnings too) goes to build.log; a
  # warning fails the check once the build is done.
  # Without cuDNN (above) the linker cannot resolve libtorch_cuda's own references to it:
  # --allow-shlib-undefined lets those pass; every undefined symbol of our code still fails.
  # For the same reason no program of the build may run: no demo model is written, and the
  # test binaries are asked for their test cases when ctest runs, not after they are linked.
  commands="cmake -S . -B $make_build_dir -G Ninja -DCMAKE_BUILD_TYPE=Release -DCSM_CUDA=ON"
  commands+=" -DCSM_DEMO_ASSETS=OFF -DCMAKE_CATCH_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST"
  commands+=" -DCMAKE_EXE_LINKER_FLAGS=-Wl,--allow-shlib-undefined"
  commands+=" -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--allow-shlib-undefined"
  commands+=" -DCMAKE_MODULE_LINKER_FLAGS=-Wl,--allow-shlib-undefined"
  commands+=" && (cmake --build $make_build_dir -j $jobs 2>&1 | tee /tmp/build.log; exit \${PIPESTATUS[0]})"
  # Compiler warnings (FILE:LINE:COLUMN: warning:), not the linker's note that cuDNN is missing.
  commands+=" && if grep -E '^[^ :]+:[0-9]+:[0-9]+: warning: ' /tmp/build.log; then"
  commands+=" echo 'check-debian13: the warnings above' >&2; exit 3; fi"
else
  step="make test"
  commands="make test JOBS=$jobs BUILD_DIR=$make_build_dir"
fi
start=$(date +%s)
what="the working tree"
((head_only == 0)) || what="HEAD"
echo "check-debian13: $step on Debian 13 ($what, $jobs jobs)"
set +e
sources | "${podman[@]}" run --rm -i --network=host --shm-size=1g "${volumes[@]}" "$image" \
  bash -c "mkdir -p /src && tar -xf - -C /src && cd /src && $commands"
rc=$?
set -e
test_time=$(elapsed "$start")
if ((rc == 0)); then result=PASS; else result="FAIL ($step exit status $rc)"; fi
echo "check-debian13: $result; dev image $image_time, $step $test_time"
exit "$rc"
