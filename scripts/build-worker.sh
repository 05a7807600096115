#!/usr/bin/env bash
# Build mediasoup's C++ worker (node_modules/mediasoup/worker) against Debian's own libraries
# and install it where mediasoup looks for it:
#   node_modules/mediasoup/worker/out/Release/mediasoup-worker
#
# mediasoup's postinstall would download a prebuilt worker or build one with pip and meson
# subprojects fetched from the internet; neither works offline. Instead, a copy of the worker
# sources gets its meson files patched to use system dependencies (openssl, libuv, libsrtp2,
# usrsctp, nlohmann_json, abseil), then `meson setup` + `ninja` (about 8 minutes on 2 cores).
#
# The binary is cached at
#   ${NOMADES_CACHE_DIR:-$HOME/.cache/nomades-visio}/mediasoup-worker/<version>-<hash>/mediasoup-worker
# where <hash> is the first 12 hex chars of the sha256 of the patch script, the source patches
# and the build flags, so a second run only copies it.
#
# Source patches: sfu/worker-patches/*.patch (unified diffs relative to the worker folder, applied
# in name order with patch -p1) are backports of upstream fixes newer than the pinned version;
# each file says what it fixes and which test proves it.
#
# `build-worker.sh --cached` only prints the cache directory of this version and key and exits 0 when
# a built worker is there (setup --production then needs no compiler: a worker built on another
# Debian 12 amd64 machine can be copied into that directory), 1 otherwise.
#
# Environment:
#   NOMADES_CACHE_DIR            cache root (default: $HOME/.cache/nomades-visio)
#   NOMADES_FORCE_WORKER_BUILD=1 ignore the cache and rebuild
#   NOMADES_KEEP_BUILD_DIR=1     keep the temporary build directory
#   NINJA_JOBS=N                 parallel compile jobs (default: ninja's, i.e. cores + 2)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$(repo_root)"
cd "$ROOT"

EXPECTED_VERSION="3.12.16"
MS_DIR="$ROOT/node_modules/mediasoup"
INSTALL_BIN="$MS_DIR/worker/out/Release/mediasoup-worker"
MESON_ARGS=(--buildtype=release --wrap-mode=nofallback)
T0=$(date +%s)

# ---------------------------------------------------------------------------------------------
# The meson patch. Any change to this text changes the cache key.
# ---------------------------------------------------------------------------------------------
IFS= read -r -d '' PATCH_PY <<'PY' || true
import re, sys, pathlib

worker = pathlib.Path(sys.argv[1])

def fail(msg):
    sys.stderr.write("patch error: %s\n" % msg)
    sys.stderr.write("(the meson files of this mediasoup version do not look like 3.12.16's; "
                     "scripts/build-worker.sh needs updating)\n")
    sys.exit(1)

def sub(text, pattern, repl, fname, count, flags=re.M | re.S):
    new, n = re.subn(pattern, repl, text, flags=flags)
    if n != count:
        fail("%s: pattern %r matched %d time(s), expected %d" % (fname, pattern, n, count))
    return new

# ---- worker/meson.build -------------------------------------------------------------------
f = worker / "meson.build"
t = f.read_text()

t = sub(t, r"meson_version: '>= 1\.1\.0'", "meson_version: '>= 1.0.0'", f.name, 1)

# The block of subproject(...) calls, up to the libwebrtc subdir.
m = re.search(r"^openssl_proj = subproject\(.*?(?=^libwebrtc_include_directories = )", t, re.M | re.S)
if not m:
    fail("meson.build: subproject block (openssl_proj ... libwebrtc_include_directories) not found")
found = sorted(re.findall(r"subproject\(\s*'([^']+)'", m.group(0)))
expected = sorted(["openssl", "nlohmann_json", "libuv", "libsrtp2", "usrsctp", "abseil-cpp", "catch2"])
if found != expected:
    fail("meson.build: subproject block has %s, expected %s" % (found, expected))
system_deps = """# System libraries from Debian instead of meson subprojects (patched by scripts/build-worker.sh).
openssl_dep = dependency('openssl')
nlohmann_json_dep = dependency('nlohmann_json')
libuv_dep = dependency('libuv')
usrsctp_dep = dependency('usrsctp')
absl_flat_hash_map_dep = dependency('absl_flat_hash_map')
absl_flat_hash_set_dep = dependency('absl_flat_hash_set')
# The sources include <srtp.h>; Debian installs it under /usr/include/srtp2.
libsrtp2_dep = declare_dependency(
  dependencies: dependency('libsrtp2'),
  compile_args: ['-I/usr/include/srtp2'],
)
"""
t = t[:m.start()] + system_deps + t[m.end():]

t = sub(t, r"^dependencies = \[\n.*?^\]\n", """dependencies = [
  absl_flat_hash_map_dep,
  absl_flat_hash_set_dep,
  openssl_dep,
  nlohmann_json_dep,
  libuv_dep,
  libsrtp2_dep,
  usrsctp_dep,
  libwebrtc_dep,
]
""", f.name, 1)

t = sub(t, r"^link_whole = \[\n.*?^\]\n", """link_whole = [
  libwebrtc,
]
""", f.name, 1)

# Test executables (not built by default): drop catch2.
t = sub(t, r"dependencies \+ \[\s*catch2_proj\.get_variable\('catch2_dep'\),?\s*\]", "dependencies", f.name, 2)

leftover = [p for p in re.findall(r"\b(\w+_proj)\b", t) if p != "wingetopt_proj"]
if leftover:
    fail("meson.build: still references %s" % sorted(set(leftover)))
if "catch2" in t:
    fail("meson.build: still references catch2")
f.write_text(t)

# ---- worker/deps/libwebrtc/meson.build ----------------------------------------------------
f = worker / "deps" / "libwebrtc" / "meson.build"
t = f.read_text()

t = sub(t, r"^abseil_cpp_proj = subproject\(\s*'abseil-cpp'.*?^\)\n",
        "absl_strings_dep = dependency('absl_strings')\nabsl_optional_dep = dependency('absl_optional')\n",
        "libwebrtc/meson.build", 1)

mapping = {
    ("openssl_proj", "openssl_dep"): "openssl_dep",
    ("nlohmann_json_proj", "nlohmann_json_dep"): "nlohmann_json_dep",
    ("libuv_proj", "libuv_dep"): "libuv_dep",
    ("abseil_cpp_proj", "absl_strings_dep"): "absl_strings_dep",
    ("abseil_cpp_proj", "absl_types_dep"): "absl_optional_dep",
}
unknown = []
def repl(mo):
    key = (mo.group(1), mo.group(2))
    if key not in mapping:
        unknown.append("%s.get_variable('%s')" % key)
        return mo.group(0)
    return mapping[key]
t, n = re.subn(r"\b(\w+_proj)\.get_variable\('(\w+)'\)", repl, t)
if unknown:
    fail("libwebrtc/meson.build: no system replacement for %s" % unknown)
if n != 7:
    fail("libwebrtc/meson.build: replaced %d get_variable() references, expected 7" % n)
if "_proj" in t or "subproject(" in t:
    fail("libwebrtc/meson.build: still references a subproject")
f.write_text(t)

print("patched worker/meson.build and worker/deps/libwebrtc/meson.build")
PY

SOURCE_PATCHES=("$ROOT"/sfu/worker-patches/*.patch)
[[ -e "${SOURCE_PATCHES[0]}" ]] || SOURCE_PATCHES=()
CACHE_KEY_INPUT="$(printf '%s\n--\n%s\n--\n%s\n--\n' "$PATCH_PY" "${MESON_ARGS[*]}" "$(uname -m)"; for p in "${SOURCE_PATCHES[@]}"; do printf '%s\n' "$(basename "$p")"; cat "$p"; done)"
PATCH_HASH="$(printf '%s' "$CACHE_KEY_INPUT" | sha256sum | cut -c1-12)"

if [[ "${1:-}" == "--cached" ]]; then
  dir="${NOMADES_CACHE_DIR:-$HOME/.cache/nomades-visio}/mediasoup-worker/$EXPECTED_VERSION-$PATCH_HASH"
  printf '%s\n' "$dir"
  [[ -x "$dir/mediasoup-worker" ]]
  exit
fi

# ---------------------------------------------------------------------------------------------
step "mediasoup worker: checking node_modules/mediasoup"
command -v node >/dev/null || die "node is not installed"
[[ -f "$MS_DIR/package.json" ]] ||
  die "node_modules/mediasoup not found: run 'npm install' (or 'npm run setup') at the repo root first"
VERSION="$(node -p 'require(process.argv[1]).version' "$MS_DIR/package.json")"
[[ "$VERSION" == "$EXPECTED_VERSION" ]] ||
  die "node_modules/mediasoup is $VERSION, this script builds $EXPECTED_VERSION only (see docs: newer releases need bundled sources that cannot be fetched here)"
[[ -f "$MS_DIR/worker/meson.build" ]] || die "$MS_DIR/worker/meson.build is missing: reinstall mediasoup (rm -rf node_modules/mediasoup && npm install)"
ok "mediasoup $VERSION"

CACHE_ROOT="${NOMADES_CACHE_DIR:-$HOME/.cache/nomades-visio}"
CACHE_DIR="$CACHE_ROOT/mediasoup-worker/$VERSION-$PATCH_HASH"
CACHE_BIN="$CACHE_DIR/mediasoup-worker"

# Shared libraries the binary needs but the machine lacks (empty if all are there).
missing_libs() { ldd "$1" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' '; }

# ---------------------------------------------------------------------------------------------
step "mediasoup worker: looking for a cached build"
info "cache: $CACHE_BIN"
NEED_BUILD=1
if [[ "${NOMADES_FORCE_WORKER_BUILD:-}" == "1" ]]; then
  info "NOMADES_FORCE_WORKER_BUILD=1: rebuilding"
elif [[ -x "$CACHE_BIN" ]]; then
  libs="$(missing_libs "$CACHE_BIN")"
  if [[ -n "$libs" ]]; then
    warn "cached worker needs missing shared libraries ($libs); rebuilding"
  else
    ok "cache hit"
    NEED_BUILD=0
  fi
else
  info "no cached build: building from source (about 8 minutes on 2 cores)"
fi

if (( NEED_BUILD )); then
  # -------------------------------------------------------------------------------------------
  step "mediasoup worker: checking build tools and libraries"
  missing_pkgs=()
  for tool in meson:meson ninja:ninja-build pkg-config:pkg-config g++:g++ python3:python3 patch:patch; do
    command -v "${tool%%:*}" >/dev/null || missing_pkgs+=("${tool#*:}")
  done
  if command -v pkg-config >/dev/null; then
    for mod in openssl:libssl-dev libuv:libuv1-dev libsrtp2:libsrtp2-dev usrsctp:libusrsctp-dev \
               nlohmann_json:nlohmann-json3-dev absl_flat_hash_map:libabsl-dev \
               absl_flat_hash_set:libabsl-dev absl_strings:libabsl-dev absl_optional:libabsl-dev; do
      if ! pkg-config --exists "${mod%%:*}"; then
        warn "pkg-config module '${mod%%:*}' not found (Debian package ${mod#*:})"
        missing_pkgs+=("${mod#*:}")
      fi
    done
  fi
  if (( ${#missing_pkgs[@]} )); then
    mapfile -t missing_pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    die "missing build prerequisites. Install them with:
    apt-get install -y ${missing_pkgs[*]}
  (or run 'bash scripts/setup.sh' as root, which installs everything)"
  fi
  MESON_VERSION="$(meson --version)"
  if ! printf '1.0.0\n%s\n' "$MESON_VERSION" | sort -V -C; then
    die "meson $MESON_VERSION is too old, need >= 1.0.0 (Debian 12's meson package is 1.0.1)"
  fi
  ok "meson $MESON_VERSION, ninja $(ninja --version), $(g++ --version | head -n1)"

  # -------------------------------------------------------------------------------------------
  step "mediasoup worker: patching a copy of the sources"
  BUILD_TMP="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
  cleanup() {
    local rc=$?
    if (( rc == 0 )) && [[ "${NOMADES_KEEP_BUILD_DIR:-}" != "1" ]]; then
      rm -rf "$BUILD_TMP"
    else
      printf 'build directory kept: %s\n' "$BUILD_TMP" >&2
    fi
  }
  trap cleanup EXIT
  cp -a "$MS_DIR/worker" "$BUILD_TMP/worker"
  rm -rf "$BUILD_TMP/worker/out"
  python3 -c "$PATCH_PY" "$BUILD_TMP/worker" || die "patching the meson files failed (see above)"
  for p in "${SOURCE_PATCHES[@]}"; do
    patch -p1 --forward --batch --silent -d "$BUILD_TMP/worker" <"$p" || die "source patch ${p#"$ROOT"/} does not apply to mediasoup $VERSION"
    info "applied ${p#"$ROOT"/}"
  done
  info "build dir: $BUILD_TMP"

  # -------------------------------------------------------------------------------------------
  step "mediasoup worker: meson setup"
  SETUP_LOG="$BUILD_TMP/meson-setup.log"
  if ! meson setup "${MESON_ARGS[@]}" "$BUILD_TMP/out" "$BUILD_TMP/worker" >"$SETUP_LOG" 2>&1; then
    tail -n 40 "$SETUP_LOG" >&2
    die "meson setup failed (full log: $SETUP_LOG). A 'Dependency ... not found' line names the missing library."
  fi
  grep -E '^(Run-time dependency|Found pkg-config|Build targets)' "$SETUP_LOG" | sed 's/^/    /' || true

  # -------------------------------------------------------------------------------------------
  step "mediasoup worker: compiling (ninja)"
  BUILD_LOG="$BUILD_TMP/ninja.log"
  B0=$(date +%s)
  jobs_args=()
  [[ -n "${NINJA_JOBS:-}" ]] && jobs_args=(-j "$NINJA_JOBS")
  # Show ninja's [n/N] progress lines only; the full output (compiler warnings) goes to the log.
  set +o pipefail
  ninja -C "$BUILD_TMP/out" "${jobs_args[@]}" mediasoup-worker 2>&1 | tee "$BUILD_LOG" |
    awk '/^\[[0-9]+\/[0-9]+\]/ { print "    " $0; fflush() }'
  ninja_rc=${PIPESTATUS[0]}
  set -o pipefail
  if (( ninja_rc != 0 )); then
    grep -E -B2 -A12 'error|FAILED' "$BUILD_LOG" | tail -n 60 >&2 || tail -n 60 "$BUILD_LOG" >&2
    die "ninja failed with status $ninja_rc (full log: $BUILD_LOG)"
  fi
  [[ -x "$BUILD_TMP/out/mediasoup-worker" ]] || die "ninja succeeded but $BUILD_TMP/out/mediasoup-worker is missing"
  ok "compiled in $(elapsed "$B0")"

  # -------------------------------------------------------------------------------------------
  step "mediasoup worker: caching the binary"
  mkdir -p "$CACHE_DIR"
  cp "$BUILD_TMP/out/mediasoup-worker" "$CACHE_BIN.tmp.$$"
  chmod 0755 "$CACHE_BIN.tmp.$$"
  mv -f "$CACHE_BIN.tmp.$$" "$CACHE_BIN"
  cp "$BUILD_TMP/worker/meson.build" "$CACHE_DIR/meson.build.patched"
  cp "$BUILD_TMP/worker/deps/libwebrtc/meson.build" "$CACHE_DIR/libwebrtc.meson.build.patched"
  {
    echo "mediasoup $VERSION worker, built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
    echo "meson $MESON_VERSION ${MESON_ARGS[*]}; ninja $(ninja --version); $(g++ --version | head -n1)"
    echo "cache key $PATCH_HASH = sha256(patch script + meson args + arch + source patches)"
    for p in "${SOURCE_PATCHES[@]}"; do echo "source patch $(basename "$p")"; done
  } >"$CACHE_DIR/build-info.txt"
  ok "$CACHE_BIN ($(du -h "$CACHE_BIN" | cut -f1))"
fi

# ---------------------------------------------------------------------------------------------
step "mediasoup worker: installing"
if [[ -f "$INSTALL_BIN" ]] && cmp -s "$CACHE_BIN" "$INSTALL_BIN"; then
  ok "already installed: $INSTALL_BIN"
else
  mkdir -p "$(dirname "$INSTALL_BIN")"
  # Copy then rename, so a running worker's executable is never overwritten in place.
  cp "$CACHE_BIN" "$INSTALL_BIN.tmp.$$"
  chmod +x "$INSTALL_BIN.tmp.$$"
  mv -f "$INSTALL_BIN.tmp.$$" "$INSTALL_BIN"
  ok "$INSTALL_BIN"
fi

# ---------------------------------------------------------------------------------------------
step "mediasoup worker: verifying (createWorker)"
libs="$(missing_libs "$INSTALL_BIN")"
[[ -z "$libs" ]] || die "the worker needs shared libraries that are missing: $libs(install the Debian packages listed in scripts/setup.sh)"
if [[ -n "${MEDIASOUP_WORKER_BIN:-}" ]]; then
  warn "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is set: mediasoup will use it instead of $INSTALL_BIN"
fi
# mediasoup 3.12 is CommonJS; `node -e` evaluates CommonJS even in a "type": "module" package.
if ! out="$(env -u MEDIASOUP_WORKER_BIN timeout 60 node -e "
  require('mediasoup').createWorker({ logLevel: 'warn' })
    .then((w) => { console.log('worker ok pid', w.pid); w.close(); })
    .catch((e) => { console.error(e); process.exit(1); });
" 2>&1)"; then
  printf '%s\n' "$out" >&2
  die "the installed worker does not start (see above)"
fi
ok "$out"
ok "mediasoup worker ready in $(elapsed "$T0")"
