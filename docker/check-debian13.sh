#!/usr/bin/env bash
# Builds the project and runs every test on Debian 13 (LibTorch 2.6, Boost 1.83, Catch2 3,
# FFmpeg 7, ICU 76, GCC 14) in a podman container, the way `make test` does on Debian 12:
#   1. builds the dev image (cached by podman): debian:13 plus
#      `scripts/install-deps --with-test-tools`;
#   2. copies the repository into a fresh container from that image (the working tree's
#      files that git tracks or does not ignore; with --head, `git archive HEAD`) and runs
#      `make test` there (install-deps, configure, build, ctest);
# then prints the result and the time each step took. Exit status: that of `make test`.
# Too slow for CI (a cold build takes about half an hour on 2 cores): run it by hand before
# a release. Needs podman and the base image docker.io/library/debian:13.
#
# usage: docker/check-debian13.sh [--head] [--jobs N] [--ccache DIR] [--build-dir DIR]
#                                 [--image TAG]
#   --head           test the committed HEAD instead of the working tree
#   --jobs N         build and test jobs (default: the host's processor count)
#   --ccache DIR     keep the container's ccache in DIR on the host (later runs build faster)
#   --build-dir DIR  keep the container's build tree in DIR on the host (later runs rebuild
#                    only what changed; default: a fresh one in the container)
#   --image TAG      the dev image's tag (default csm-dev:13)
# CSM_PODMAN_RUNTIME names podman's OCI runtime (default runc when installed; crun refuses
# hosts with hybrid cgroups); podman reads CONTAINERS_CONF as usual, where a host needs one.
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
head_only=0
jobs=""
ccache_dir=""
build_dir=""
image=csm-dev:13
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
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
cat >"$context/Containerfile" <<'EOF'
FROM docker.io/library/debian:13
COPY install-deps /usr/local/bin/csm-install-deps
RUN csm-install-deps --with-test-tools && apt-get clean && rm -rf /var/lib/apt/lists/*
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
start=$(date +%s)
what="the working tree"
((head_only == 0)) || what="HEAD"
echo "check-debian13: make test on Debian 13 ($what, $jobs jobs)"
set +e
sources | "${podman[@]}" run --rm -i --network=host --shm-size=1g "${volumes[@]}" "$image" \
  bash -c "mkdir -p /src && tar -xf - -C /src && cd /src && make test JOBS=$jobs BUILD_DIR=$make_build_dir"
rc=$?
set -e
test_time=$(elapsed "$start")
if ((rc == 0)); then result=PASS; else result="FAIL (make test exit status $rc)"; fi
echo "check-debian13: $result; dev image $image_time, build and tests $test_time"
exit "$rc"
