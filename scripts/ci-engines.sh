#!/usr/bin/env bash
# Makes docker and podman usable for the runtime tests on a fresh Debian 12 (as root), then builds
# the local sandbox image. Idempotent: when everything is already there it takes a second or two.
#
#   1. apt-get install docker.io podman debootstrap (+ runc, uidmap, fuse-overlayfs) — only if missing
#   2. start dockerd by hand if it is not answering (no systemd here), wait ≤ 30 s for `docker info`
#   3. scripts/build-image.sh → vg-sandbox:bookworm in both engines (rootfs cached in /var/cache/vg-image)
#
# Called by .ci/run before `npm test`. Needs network access to the Debian mirror only.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
log() { echo "ci-engines: $*" >&2; }

if [ "$(id -u)" != 0 ]; then log "must run as root (installs packages, starts dockerd)"; exit 1; fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v podman >/dev/null || need+=(podman)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v runc >/dev/null || need+=(runc)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v fuse-overlayfs >/dev/null || need+=(fuse-overlayfs)
command -v socat >/dev/null || need+=(socat)
command -v iptables >/dev/null || need+=(iptables)
if [ "${#need[@]}" -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates >/tmp/ci-engines-apt.log 2>&1 || {
    tail -n 20 /tmp/ci-engines-apt.log >&2; exit 1; }
fi

# dockerd: started by hand (no systemd). Keep it running after this script (setsid, own log).
if ! timeout 5 docker info >/dev/null 2>&1; then
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: /var/log/dockerd.log)"
    setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 60); do
    timeout 5 docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! timeout 5 docker info >/dev/null 2>&1; then
    log "dockerd did not come up in 30 s — last lines of /var/log/dockerd.log:"
    tail -n 15 /var/log/dockerd.log >&2 || true
    exit 1
  fi
fi
log "docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?') answering"

# podman: daemonless; check it can at least talk to its storage.
if ! timeout 20 podman info >/dev/null 2>&1; then
  log "podman info failed:"; timeout 20 podman info 2>&1 | tail -n 5 >&2 || true; exit 1
fi

bash scripts/build-image.sh --engines docker,podman

# Smoke: one container per engine (podman with the host workarounds the runtime applies).
docker run --rm --pull never --network none vg-sandbox:bookworm true || { log "docker cannot run vg-sandbox:bookworm"; exit 1; }
pflags=()
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] && command -v runc >/dev/null; then pflags+=(--runtime runc); fi
if ! grep -q '^CapEff:.*' /proc/self/status || [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 0 ]; then
  pflags+=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
fi
podman run --rm --pull never --network none "${pflags[@]}" vg-sandbox:bookworm true || { log "podman cannot run vg-sandbox:bookworm (flags: ${pflags[*]})"; exit 1; }
log "ready: docker and podman run vg-sandbox:bookworm"
