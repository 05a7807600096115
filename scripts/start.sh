#!/usr/bin/env bash
# `npm start`: the product from its build (dist/, made by setup; rebuilt here first when a source is
# newer, about a second), run by node alone on the Node.js of scripts/lib/node-env.sh, with
# source maps for stack traces. The systemd unit (deploy/nomades-visio.service) runs the same
# dist/server/src/main.js directly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/node-env.sh
source scripts/lib/node-env.sh
node_env_use || echo "warning: Node.js $(node_env_current) is older than $NODE_MIN and $(node_env_dir) is missing: run 'npm run setup'" >&2
node scripts/build-server.mjs --if-stale
exec node --enable-source-maps dist/server/src/main.js "$@"
