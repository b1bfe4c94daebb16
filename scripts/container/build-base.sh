#!/usr/bin/env bash
# Builds the default base image of the Containerfile from Debian's packages
# alone (no image registry needed): mmdebstrap --variant=minbase bookworm, plus
#   ca-certificates        TLS to PostgreSQL, Redis, KOS, Entra, Blob
#   openssl                the logical dump's encryption (backup logical, §10.2)
#   postgresql-client-15   pg_dump / pg_restore for `backup logical` (the plan's server is 14)
#   tini                   PID 1: forwards SIGTERM to node, reaps children
#   curl                   what `podman kube play` runs for an httpGet probe (inside the container)
# and imports it as $BASE_TAG (default: tagged with a hash of this script, so a
# changed package list is a new base). Skips the work when that tag exists
# (REBUILD=1 forces it). Prints the tag on stdout's last line. ~1–2.5 min.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
BASE_TAG="${BASE_TAG:-localhost/bill-inquiry-base:bookworm-$(sha256sum "$0" | cut -c1-8)}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="ca-certificates,openssl,postgresql-client-15,tini,curl"

if [[ -z "${REBUILD:-}" ]] && podman image exists "$BASE_TAG"; then
  echo "base image $BASE_TAG exists (REBUILD=1 to build it again)" >&2
  echo "$BASE_TAG"
  exit 0
fi
echo "== building $BASE_TAG from Debian bookworm ($MIRROR): $PACKAGES" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' INT TERM
# minbase keeps apt/dpkg (users extend the base); docs, man pages and apt lists are left out.
mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$tmp/rootfs.tar" \
  "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
  "deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main"
podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/bash"]' "$tmp/rootfs.tar" "$BASE_TAG" >/dev/null
# The Containerfile's default BASE names this tag.
podman tag "$BASE_TAG" localhost/bill-inquiry-base:bookworm
echo "== built $BASE_TAG: $(podman image inspect --format '{{.Size}}' "$BASE_TAG" | numfmt --to=si)B" >&2
echo "$BASE_TAG"
