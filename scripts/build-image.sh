#!/usr/bin/env bash
# Builds vg's default sandbox image (vg-sandbox:bookworm) locally — no container registry needed.
#
#   debootstrap --variant=minbase --include=socat,ca-certificates,curl,git,xz-utils bookworm (apt's mirror)
#     → /var/cache/vg-image/base-<stamp>.tar    (cached; ~60 s the first time)
#   + Node: the host's own `node` binary and npm copied into /usr/local (VG_IMAGE_NODE=host, default:
#     a few seconds, same Node as the host), Debian's nodejs+npm via apt in a chroot (=debian: +90 s,
#     +400 MB), or none (=0)
#     → /var/cache/vg-image/rootfs-<stamp>.tar  (cached)
#   → docker import / podman import  (each only if that engine is reachable and the tag is stale)
#
# Usage: scripts/build-image.sh [--force] [--engines docker,podman] [--tag vg-sandbox:bookworm]
# Env:   VG_IMAGE_CACHE (default /var/cache/vg-image)  VG_IMAGE_MIRROR (default: from apt sources)
#        VG_IMAGE_NODE=host|debian|0
#        VG_IMAGE_PACKAGES=python3,python3-pip,make  (more Debian packages for debootstrap --include)
# Must run as root (debootstrap, chroot). See docs/containers.md.
set -euo pipefail

TAG=vg-sandbox:bookworm
ENGINES=docker,podman
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --engines) ENGINES="$2"; shift ;;
    --engines=*) ENGINES="${1#*=}" ;;
    --tag) TAG="$2"; shift ;;
    --tag=*) TAG="${1#*=}" ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

CACHE="${VG_IMAGE_CACHE:-/var/cache/vg-image}"
NODE_MODE="${VG_IMAGE_NODE:-host}"
PACKAGES="socat,ca-certificates,curl,git,xz-utils${VG_IMAGE_PACKAGES:+,$VG_IMAGE_PACKAGES}"
BASE_STAMP="$(printf '%s' "bookworm minbase $PACKAGES v3" | sha256sum | cut -c1-12)"
BASE="$CACHE/base-$BASE_STAMP.tar"

log() { echo "build-image: $*" >&2; }

mirror() {
  if [ -n "${VG_IMAGE_MIRROR:-}" ]; then echo "$VG_IMAGE_MIRROR"; return; fi
  # deb822 sources (URIs: …) first, then one-line sources (deb URL bookworm main); skip -security.
  local m
  m="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -v -- '-security' | grep -i debian | head -n1 || true)"
  if [ -z "$m" ]; then
    m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; break}}' | grep -v -- '-security' | grep -i debian | head -n1 || true)"
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

slim() {
  local dir="$1"
  chroot "$dir" apt-get clean >/dev/null 2>&1 || true
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
         "$dir"/usr/share/info/* "$dir"/var/log/*.log "$dir"/var/log/apt/* "$dir"/tmp/* 2>/dev/null || true
}

build_base() {
  command -v debootstrap >/dev/null || { log "debootstrap is not installed — apt-get install debootstrap"; exit 1; }
  [ "$(id -u)" = 0 ] || { log "must run as root (debootstrap needs it)"; exit 1; }
  local m dir t0
  m="$(mirror)"
  mkdir -p "$CACHE"
  dir="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  trap 'rm -rf "$dir"' EXIT
  t0=$(date +%s)
  log "debootstrap --variant=minbase --include=$PACKAGES bookworm from $m (about a minute)"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$dir" "$m" >"$CACHE/debootstrap.log" 2>&1 || {
    log "debootstrap failed — see $CACHE/debootstrap.log"; tail -n 5 "$CACHE/debootstrap.log" >&2; exit 1; }
  slim "$dir"
  # The sandbox runs as the invoking uid, which may have no passwd entry: give it a writable HOME.
  mkdir -p "$dir/run/vg" "$dir/home/vg" && chmod 1777 "$dir/home/vg"
  printf 'vg-sandbox:bookworm base built %s from %s\npackages: minbase %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$m" "${PACKAGES//,/ }" >"$dir/etc/vg-image"
  tar --numeric-owner -C "$dir" -cf "$BASE.tmp" .
  mv "$BASE.tmp" "$BASE"
  rm -rf "$dir"; trap - EXIT
  log "base rootfs cached at $BASE ($(du -h "$BASE" | cut -f1), $(( $(date +%s) - t0 )) s)"
}

# What goes on top of the base, and a stamp that changes when it does.
HOST_NODE=""; HOST_NPM=""
case "$NODE_MODE" in
  host)
    HOST_NODE="$(command -v node 2>/dev/null || true)"
    [ -n "$HOST_NODE" ] && HOST_NODE="$(readlink -f "$HOST_NODE")"
    for d in "$(dirname "$HOST_NODE")/../lib/node_modules/npm" /usr/lib/node_modules/npm /usr/local/lib/node_modules/npm; do
      if [ -n "$HOST_NODE" ] && [ -f "$d/bin/npm-cli.js" ]; then HOST_NPM="$(readlink -f "$d")"; break; fi
    done
    if [ -z "$HOST_NODE" ]; then log "no node on the host — image gets no Node (set VG_IMAGE_NODE=debian for Debian's)"; NODE_MODE=0; fi
    LAYER="node-host $("$HOST_NODE" --version 2>/dev/null || true) $(sha256sum < "$HOST_NPM/package.json" 2>/dev/null | cut -c1-8)" ;;
  debian) LAYER="node-debian" ;;
  0|none|"") NODE_MODE=0; LAYER="none" ;;
  *) log "VG_IMAGE_NODE must be host, debian or 0"; exit 2 ;;
esac
[ "$NODE_MODE" = 0 ] && LAYER="none"
STAMP="$(printf '%s' "$BASE_STAMP $LAYER" | sha256sum | cut -c1-12)"
TARBALL="$CACHE/rootfs-$STAMP.tar"

build_rootfs() {
  [ "$FORCE" = 1 ] || [ ! -s "$BASE" ] && build_base
  local t0; t0=$(date +%s)
  case "$NODE_MODE" in
    0) cp "$BASE" "$TARBALL.tmp" ;;
    host)
      local stage; stage="$(mktemp -d "$CACHE/node.XXXXXX")"
      mkdir -p "$stage/usr/local/bin" "$stage/usr/local/lib/node_modules"
      cp "$HOST_NODE" "$stage/usr/local/bin/node"
      cp -a "$HOST_NPM" "$stage/usr/local/lib/node_modules/npm"
      ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
      ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
      cp "$BASE" "$TARBALL.tmp"
      # Only new paths are appended (no duplicate directory entries for the engines' importers).
      tar --numeric-owner --owner=0 --group=0 -C "$stage" -rf "$TARBALL.tmp" \
        ./usr/local/bin/node ./usr/local/bin/npm ./usr/local/bin/npx ./usr/local/lib/node_modules
      rm -rf "$stage"
      log "added host node $("$HOST_NODE" --version) + npm from $HOST_NPM" ;;
    debian)
      local dir; dir="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
      tar -C "$dir" -xf "$BASE"
      cp /etc/resolv.conf "$dir/etc/resolv.conf"
      mount -t proc proc "$dir/proc"
      ( chroot "$dir" apt-get update -qq && DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends nodejs npm ) \
        >"$CACHE/chroot-apt.log" 2>&1 || { umount "$dir/proc"; rm -rf "$dir"; log "apt in chroot failed — see $CACHE/chroot-apt.log"; exit 1; }
      umount "$dir/proc"
      slim "$dir"; : >"$dir/etc/resolv.conf"
      tar --numeric-owner -C "$dir" -cf "$TARBALL.tmp" .
      rm -rf "$dir"
      log "added Debian nodejs + npm" ;;
  esac
  mv "$TARBALL.tmp" "$TARBALL"
  log "rootfs cached at $TARBALL ($(du -h "$TARBALL" | cut -f1), $(( $(date +%s) - t0 )) s)"
}

if [ "$FORCE" = 1 ] || [ ! -s "$TARBALL" ]; then build_rootfs; else log "using cached $TARBALL"; fi
# Older cached tarballs (other package sets / Node versions) are dead weight.
for f in "$CACHE"/base-*.tar "$CACHE"/rootfs-*.tar; do
  [ -e "$f" ] && [ "$f" != "$BASE" ] && [ "$f" != "$TARBALL" ] && rm -f "$f"
done

import_into() {
  local engine="$1"
  command -v "$engine" >/dev/null || { log "$engine not installed — skipped"; return 0; }
  if ! timeout 10 "$engine" info >/dev/null 2>&1; then log "$engine engine not reachable — skipped"; return 0; fi
  if [ "$FORCE" = 0 ] && [ "$("$engine" image inspect --format '{{index .Config.Labels "vg.rootfs"}}' "$TAG" 2>/dev/null || true)" = "$STAMP" ]; then
    log "$engine already has $TAG ($STAMP)"; return 0
  fi
  # docker/podman import keep no labels from a tarball: set them and a sane default command.
  "$engine" import \
    --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL vg.rootfs=$STAMP" \
    - "$TAG" <"$TARBALL" >"$CACHE/import-$engine.log" 2>&1 || { log "$engine import failed — see $CACHE/import-$engine.log"; tail -n 3 "$CACHE/import-$engine.log" >&2; exit 1; }
  # The previous vg image, now untagged, is dead weight too.
  "$engine" images -q --filter dangling=true --filter label=vg.rootfs 2>/dev/null | xargs -r "$engine" rmi >/dev/null 2>&1 || true
  log "$engine: imported $TAG"
  if [ "$NODE_MODE" = host ] && [ "$engine" = docker ]; then
    # The host's node must run on bookworm's glibc; say so now rather than at the first `npm` inside.
    if ! docker run --rm --pull never --network none "$TAG" node --version >/dev/null 2>&1; then
      log "warning: the host's node does not run inside $TAG (newer glibc on the host?) — rebuild with VG_IMAGE_NODE=debian"
    fi
  fi
}

IFS=, read -r -a engines <<<"$ENGINES"
for e in "${engines[@]}"; do import_into "$e"; done
