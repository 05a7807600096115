#!/usr/bin/env bash
# The single set-up command (`npm run setup`). Idempotent: a second run takes seconds
# (plus the client's vite build).
#   1. Debian packages (apt-get, only the missing ones; needs root)
#   2. npm packages (npm ci, skipped when node_modules matches package-lock.json)
#   3. mediasoup worker (scripts/build-worker.sh; cached under ~/.cache/nomades-visio)
#   4. client build (npm run build -w client)
#   5. summary
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$(repo_root)"
cd "$ROOT"
T0=$(date +%s)

APT_PACKAGES=(
  meson ninja-build pkg-config g++ python3 make patch    # build tools (worker, native addons)
  libssl-dev libuv1-dev libsrtp2-dev libabsl-dev          # mediasoup worker libraries
  libusrsctp-dev nlohmann-json3-dev
  redis-server ffmpeg coturn chromium                     # runtime services (coturn: TURN on 443, REACH-5), recorder, browser tests
  iptables iproute2                                       # field tests: network namespaces, firewall, tc (tests/helpers/NetNamespace.ts)
  nginx libnginx-mod-stream openssl                       # reverse-proxy recipe test (docs/operations/nginx-443.conf), test certificates
)
NODE_MIN="20.19.0"
LOCK_STAMP="node_modules/.nomades-lock-hash"

# --- Node.js ---------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js >= $NODE_MIN is required but 'node' is not in PATH"
command -v npm >/dev/null || die "npm is required but 'npm' is not in PATH"
NODE_VERSION="$(node -p 'process.versions.node')"
printf '%s\n%s\n' "$NODE_MIN" "$NODE_VERSION" | sort -V -C ||
  die "Node.js >= $NODE_MIN is required, found $NODE_VERSION (see package.json engines)"
step "Node.js $NODE_VERSION, npm $(npm --version), in $ROOT"

# --- 1. Debian packages ----------------------------------------------------------------------
step "[1/5] Debian packages"
if ! command -v dpkg-query >/dev/null; then
  warn "dpkg-query not found (not Debian?): install the equivalents of: ${APT_PACKAGES[*]}"
else
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$p")
  done
  if (( ${#missing[@]} == 0 )); then
    ok "all ${#APT_PACKAGES[@]} packages installed"
  elif (( EUID != 0 )); then
    die "missing Debian packages: ${missing[*]}
Run this script as root, or install them first with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  else
    info "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    ok "installed ${#missing[@]} package(s)"
    # Debian enables coturn's own system service on install; the server runs its own coturn
    # (loopback only, REACH-5), so the system-wide one, listening everywhere, is switched off.
    if [[ " ${missing[*]} " == *" coturn "* ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
      systemctl disable --now coturn.service >/dev/null 2>&1 && info "coturn's system service disabled (the server starts its own)" || true
    fi
    # nginx is here for the recipe's test, which runs its own instance: stop the packaged one.
    if [[ " ${missing[*]} " == *" nginx "* ]]; then
      if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then systemctl disable --now nginx.service >/dev/null 2>&1 || true
      elif [[ -f /run/nginx.pid ]]; then nginx -s quit 2>/dev/null || true; fi
    fi
  fi
fi

# --- 2. npm packages -------------------------------------------------------------------------
step "[2/5] npm packages"
# The stamp covers the lockfile and the Node ABI (native addons are built for it).
lock_hash() {
  { cat package-lock.json; node -p 'process.versions.modules + " " + process.platform + " " + process.arch'; } |
    sha256sum | cut -d' ' -f1
}
# mediasoup's postinstall would download a prebuilt worker from GitHub, then fall back to
# building it with pip: neither works offline, and npm 11.19 runs dependency install scripts
# that package.json's allowScripts does not mention (with a notice). A non-empty
# MEDIASOUP_WORKER_BIN makes that postinstall skip; step 3 builds the worker instead.
npm_install() { MEDIASOUP_WORKER_BIN="${MEDIASOUP_WORKER_BIN:-skip-mediasoup-postinstall}" npm "$@" --no-audit --no-fund; }
if [[ -f package-lock.json ]]; then
  if [[ -d node_modules && -f "$LOCK_STAMP" && "$(cat "$LOCK_STAMP")" == "$(lock_hash)" ]]; then
    ok "node_modules matches package-lock.json"
  else
    info "npm ci"
    npm_install ci
    lock_hash >"$LOCK_STAMP"
    ok "installed from package-lock.json"
  fi
else
  info "no package-lock.json: npm install"
  npm_install install
  lock_hash >"$LOCK_STAMP"
  ok "installed (package-lock.json written: commit it)"
fi

# --- 3. mediasoup worker ---------------------------------------------------------------------
step "[3/5] mediasoup worker"
bash scripts/build-worker.sh

# --- 4. client build -------------------------------------------------------------------------
step "[4/5] client build (npm run build -w client)"
npm run build -w client || die "client build failed (npm run build -w client)"
ok "client built"

# --- 5. summary ------------------------------------------------------------------------------
step "[5/5] summary"
info "Node.js       $NODE_VERSION"
info "mediasoup     $(node -p 'require("./node_modules/mediasoup/package.json").version') worker: node_modules/mediasoup/worker/out/Release/mediasoup-worker"
info "worker cache  ${NOMADES_CACHE_DIR:-$HOME/.cache/nomades-visio}/mediasoup-worker/"
[[ -d client/dist ]] && info "client        client/dist"
ok "set-up done in $(elapsed "$T0")"
cat <<'EOF'

Next:
    npm start      # start the server (starts a local redis-server if none is configured)
    npm test       # run the tests
EOF
