#!/usr/bin/env bash
# Builds the default base image of the Containerfile from Debian's packages
# alone (no image registry needed): mmdebstrap --variant=minbase bookworm, plus
#   ca-certificates        TLS to PostgreSQL, Redis, KOS, Entra, Blob
#   openssl                the logical dump's encryption (backup logical, §10.2)
#   postgresql-client-15   pg_dump / pg_restore for `backup logical` (the plan's server is 14)
#   tini                   PID 1: forwards SIGTERM to node, reaps children
# and imports it as $BASE_TAG. Skips the work when that tag already exists
# (set REBUILD=1 to force). Takes ~2.5 min on a CI machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
BASE_TAG="${BASE_TAG:-localhost/bill-inquiry-base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="ca-certificates,openssl,postgresql-client-15,tini"

if [[ -z "${REBUILD:-}" ]] && podman image exists "$BASE_TAG"; then
  echo "base image $BASE_TAG exists (REBUILD=1 to build it again)"
  exit 0
fi
echo "== building $BASE_TAG from Debian bookworm ($MIRROR): $PACKAGES"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# minbase keeps apt/dpkg (users extend the base); docs, man pages and apt lists are left out.
mmdebstrap --variant=minbase --include="$PACKAGES" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$tmp/rootfs.tar" \
  "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
  "deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main"
podman import --change 'CMD ["/bin/bash"]' "$tmp/rootfs.tar" "$BASE_TAG" >/dev/null
podman image ls "$BASE_TAG"
