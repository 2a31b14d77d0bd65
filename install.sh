#!/usr/bin/env bash
# Install vg from this checkout: npm dependencies, the bundled CLI, `vg` on your PATH, and the system
# packages the sandbox uses (bubblewrap, socat) where this machine lets us. Safe to run again.
set -euo pipefail

__vg_say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
__vg_warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
__vg_die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(pwd -P)

# --- Node ---------------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || __vg_die "Node.js is not installed — install Node 20 or newer (https://nodejs.org) and rerun"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || __vg_die "Node $(node --version) is too old — vg needs Node 20 or newer"

# --- npm dependencies and build -----------------------------------------------------------------
__vg_say "installing npm dependencies"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
__vg_say "building the CLI"
npm run --silent build

# --- system packages (sandbox runtimes) ---------------------------------------------------------
want=()
command -v bwrap >/dev/null 2>&1 || want+=(bubblewrap)
command -v socat >/dev/null 2>&1 || want+=(socat)
if [ ${#want[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
  fi
  if [ "${sudo[0]:-}" = none ]; then
    __vg_warn "the sandbox needs ${want[*]}; install it as root (e.g. sudo apt-get install ${want[*]}), then run \`vg doctor\`"
  elif command -v apt-get >/dev/null 2>&1; then
    __vg_say "installing ${want[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${want[@]}" >/dev/null ||
      __vg_warn "apt-get could not install ${want[*]}; vg falls back to other runtimes (see \`vg doctor\`)"
  elif command -v dnf >/dev/null 2>&1; then
    "${sudo[@]}" dnf install -y -q "${want[@]}" || __vg_warn "dnf could not install ${want[*]}"
  elif command -v pacman >/dev/null 2>&1; then
    "${sudo[@]}" pacman -S --noconfirm --needed "${want[@]}" || __vg_warn "pacman could not install ${want[*]}"
  else
    __vg_warn "no known package manager; install ${want[*]} yourself for the fastest sandbox"
  fi
fi

# --- put vg on the PATH -------------------------------------------------------------------------
if [ -n "${VG_BIN_DIR:-}" ]; then bindir=$VG_BIN_DIR
elif [ "$(id -u)" -eq 0 ]; then bindir=/usr/local/bin
else bindir=$HOME/.local/bin
fi
mkdir -p "$bindir"
ln -sf "$root/dist/vg.js" "$bindir/vg"
__vg_say "linked $bindir/vg -> $root/dist/vg.js"
case ":$PATH:" in *":$bindir:"*) ;; *) __vg_warn "$bindir is not on your PATH — add: export PATH=\"$bindir:\$PATH\"" ;; esac

# --- check it works -----------------------------------------------------------------------------
__vg_say "vg doctor"
"$bindir/vg" doctor || __vg_warn "vg doctor reported problems (above); host-only decisions still work"

shell_name=$(basename "${SHELL:-bash}")
# shellcheck disable=SC2016,SC2088 # printed for the user to paste, not expanded here
case "$shell_name" in
  zsh) rc='~/.zshrc'; line='eval "$(vg init zsh)"' ;;
  fish) rc='~/.config/fish/config.fish'; line='vg init fish | source' ;;
  *) rc='~/.bashrc'; line='eval "$(vg init bash)"' ;;
esac
printf '\n\033[1mvg %s is installed.\033[0m To guard every command you type, add this line to %s:\n\n    %s\n\nthen open a new shell. Try: vg analyze "curl https://x.dev/i.sh | sh"\n' \
  "$("$bindir/vg" --version | cut -d' ' -f2)" "$rc" "$line"
