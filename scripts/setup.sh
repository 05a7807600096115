#!/usr/bin/env bash
# The single set-up command (`npm run setup`). Idempotent: a second run takes seconds
# (plus the client's vite build).
#   0. Node.js: a supported LTS (scripts/lib/node-env.sh; the pinned one is downloaded when the
#      machine's is older)
#   1. Debian packages (apt-get, only the missing ones; needs root)
#   2. npm packages (npm ci, skipped when node_modules matches package-lock.json)
#   3. mediasoup worker (scripts/build-worker.sh; cached under ~/.cache/nomades-visio)
#   4. builds: the client (vite, client/dist) and the server (scripts/build-server.mjs, dist/)
#   5. summary
#
#   npm run setup                    a development / test machine: everything, test tools included
#   npm run setup -- --production    a production host (docs/operations/production.md): the runtime
#                                    Debian packages only (no Chromium, nginx, network tools; the
#                                    worker's build tools only when no built worker is in the cache),
#                                    then npm ci, the builds, and `npm prune --omit=dev` (no test tools,
#                                    no wrtc bots, no TypeScript loader needed at run time)
#   --dry-run                        prints what would be installed and done, changes nothing
set -euo pipefail

MODE=development
DRY_RUN=0
for arg in "$@"; do
  case "$arg" in
    --production) MODE=production ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) printf 'unknown option: %s (see --help)\n' "$arg" >&2; exit 2 ;;
  esac
done

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$(repo_root)"
cd "$ROOT"
T0=$(date +%s)

# Debian packages in three sets. A production host gets APT_RUNTIME, plus APT_BUILD only when the
# mediasoup worker has to be compiled there (no cached build: docs/operations/production.md).
APT_RUNTIME=(
  redis-server ffmpeg coturn openssl                      # services (coturn: TURN on 443, REACH-5), recorder, TLS and integrity checks
  libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623   # shared libraries of the mediasoup worker
)
APT_BUILD=(
  meson ninja-build pkg-config g++ python3 make patch    # build tools (worker; native addons without a prebuilt binary)
  libssl-dev libuv1-dev libsrtp2-dev libabsl-dev          # mediasoup worker libraries
  libusrsctp-dev nlohmann-json3-dev
)
APT_TEST=(
  chromium                                                # browser tests
  firefox-esr xvfb                                        # Firefox ESR test (puppeteer-core over WebDriver BiDi; Xvfb: a display, so WebGL 2)
  espeak-ng                                               # speech for the fake microphone of the noise-suppression test
  iptables iproute2                                       # field tests: network namespaces, firewall, tc (tests/helpers/NetNamespace.ts)
  nginx libnginx-mod-stream                               # reverse-proxy recipe tests (docs/operations/nginx-443.conf, deploy/nginx-site.conf)
  postgresql                                              # several-node tests: a throw-away cluster per test (tests/helpers/Postgres.ts)
)
LOCK_STAMP="node_modules/.nomades-lock-hash"

# shellcheck source=lib/node-env.sh
source "$ROOT/scripts/lib/node-env.sh"

if [[ "$MODE" == production ]]; then
  APT_PACKAGES=("${APT_RUNTIME[@]}")
  if bash scripts/build-worker.sh --cached >/dev/null 2>&1; then
    WORKER_PLAN="a cached build is there: no compiler needed"
  else
    APT_PACKAGES+=("${APT_BUILD[@]}")
    WORKER_PLAN="no cached build: compiled here (build tools installed)"
  fi
else
  APT_PACKAGES=("${APT_BUILD[@]}" "${APT_RUNTIME[@]}" "${APT_TEST[@]}")
  WORKER_PLAN="the cached build, else compiled here"
fi

if (( DRY_RUN )); then
  cur="$(node_env_current)"
  if [[ -n "$cur" ]] && node_env_supported "$cur"; then node_plan="Node.js $cur (this machine's)"
  else node_plan="Node.js $NODE_PINNED ($NODE_PINNED_PACKAGE into $(node_env_dir); this machine has ${cur:-none})"; fi
  printf 'mode: %s\n' "$MODE"
  printf 'node: %s\n' "$node_plan"
  printf 'debian packages: %s\n' "${APT_PACKAGES[*]}"
  printf 'mediasoup worker: %s\n' "$WORKER_PLAN"
  if [[ "$MODE" == production ]]; then
    printf 'npm: npm ci; build client and server; npm prune --omit=dev\n'
  else
    printf 'npm: npm ci (when package-lock.json or the Node ABI changed); build client and server\n'
  fi
  exit 0
fi

# --- 0. Node.js ------------------------------------------------------------------------------
command -v npm >/dev/null || die "npm is required but 'npm' is not in PATH"
if ! node_env_use; then
  step "Node.js $(node_env_current) is older than $NODE_MIN: providing Node.js $NODE_PINNED"
  node_env_provide || die "could not provide Node.js $NODE_PINNED (see above); or install Node.js >= $NODE_MIN yourself"
fi
command -v node >/dev/null || die "Node.js >= $NODE_MIN is required but 'node' is not in PATH"
NODE_VERSION="$(node -p 'process.versions.node')"
node_env_supported "$NODE_VERSION" || [[ "${NOMADES_NODE:-}" == "system" ]] ||
  die "Node.js >= $NODE_MIN is required, found $NODE_VERSION (see package.json engines)"
step "Node.js $NODE_VERSION ($(command -v node)), npm $(npm --version), in $ROOT ($MODE)"

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
    if [[ "$MODE" != production && " ${missing[*]} " == *" nginx "* ]]; then
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
if [[ "$MODE" == production ]]; then
  # The builds of step 4 need the dev tools (vite); step 4 prunes them. So always a full npm ci here.
  [[ -f package-lock.json ]] || die "package-lock.json is missing: a production install needs it"
  info "npm ci"
  npm_install ci
  ok "installed from package-lock.json"
elif [[ -f package-lock.json ]]; then
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

# --- 4. builds -------------------------------------------------------------------------------
step "[4/5] builds: client and server"
npm run build -w client || die "client build failed (npm run build -w client)"
ok "client built: client/dist"
node scripts/build-server.mjs || die "server build failed (node scripts/build-server.mjs)"
ok "server built: dist/ (npm start and the systemd unit run it)"
if [[ "$MODE" == production ]]; then
  # Test tools, wrtc bots, vite, TypeScript out of node_modules. The stamp goes too: the next
  # development setup runs npm ci again.
  npm prune --omit=dev --no-audit --no-fund || die "npm prune --omit=dev failed"
  rm -f "$LOCK_STAMP"
  ok "dev dependencies removed (npm prune --omit=dev)"
fi

# --- 5. summary ------------------------------------------------------------------------------
step "[5/5] summary"
info "mode          $MODE"
info "Node.js       $NODE_VERSION ($(command -v node))"
info "mediasoup     $(node -p 'require("./node_modules/mediasoup/package.json").version') worker: node_modules/mediasoup/worker/out/Release/mediasoup-worker"
info "worker cache  ${NOMADES_CACHE_DIR:-$HOME/.cache/nomades-visio}/mediasoup-worker/"
[[ -d client/dist ]] && info "client        client/dist"
ok "set-up done in $(elapsed "$T0")"
if [[ "$MODE" == production ]]; then
  cat <<'EOF'

Next (docs/operations/production.md):
    install deploy/nomades-visio.service, write /etc/nomades-visio/env, systemctl enable --now nomades-visio
EOF
else
  cat <<'EOF'

Next:
    npm start      # start the server (starts a local redis-server if none is configured)
    npm test       # run the tests
EOF
fi
