#!/usr/bin/env bash
# Makes the Node 24 base image for tests inside the test dockerd with `docker import`
# (no registry can be pulled from here): a root filesystem holding the node binary from
# node_modules (npm `node@24`), the shared libraries `ldd` lists, /etc/passwd with a non-root
# user `node` (1000:1000), /tmp, and CA certificates when the host has them.
#
#   scripts/make-base-image.sh [TAG]     (default $GWDEPLOY_TEST_BASE_IMAGE or gwdeploy-test/node:24-slim)
#
# Idempotent: does nothing when the tag exists. Needs DOCKER_HOST (source .ci/state/services.env).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${1:-${GWDEPLOY_TEST_BASE_IMAGE:-gwdeploy-test/node:24-slim}}"
NODE_BIN="${GWDEPLOY_BASE_NODE:-$ROOT/node_modules/node/bin/node}"

log() { printf '[base-image] %s\n' "$*" >&2; }

if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "$TAG exists"
  exit 0
fi
[[ -x "$NODE_BIN" ]] || {
  log "ERROR: $NODE_BIN missing (run npm ci first)"
  exit 1
}
version="$("$NODE_BIN" --version)"
[[ "$version" == v24.* ]] || {
  log "ERROR: $NODE_BIN is $version, expected Node 24"
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc,tmp,home/node,app,lib64,usr/lib/x86_64-linux-gnu,etc/ssl/certs}
chmod 1777 "$rootfs/tmp"

if command -v strip >/dev/null; then
  strip --strip-debug -o "$rootfs/usr/local/bin/node" "$NODE_BIN"
else
  cp "$NODE_BIN" "$rootfs/usr/local/bin/node"
fi
chmod 0755 "$rootfs/usr/local/bin/node"

# Shared libraries, copied to the same paths (dereferenced), plus the dynamic loader.
while read -r lib; do
  [[ -n "$lib" && -e "$lib" ]] || continue
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < <(ldd "$NODE_BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
node:x:1000:1000:node:/home/node:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
chown -R 1000:1000 "$rootfs/home/node"

log "importing $TAG (node $version)"
tar -C "$rootfs" --numeric-owner -cf - . |
  docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "ENV NODE_VERSION=${version#v}" \
    --change 'WORKDIR /app' \
    --change 'CMD ["node"]' \
    --message "gwdeploy test base image: node $version" \
    - "$TAG" >/dev/null
if ! docker run --rm --network none --user 1000:1000 "$TAG" node -e 'process.stdout.write(process.version)' >/dev/null; then
  docker image rm "$TAG" >/dev/null 2>&1 || true
  log "ERROR: node does not start in $TAG"
  exit 1
fi
log "$TAG ready"
