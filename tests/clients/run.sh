#!/usr/bin/env bash
# Runs the real client libraries against a real `kith serve`: installs them,
# starts Kith on a free loopback port with a fresh SQLite database, creates two
# users, runs each client's script, stops Kith. Exits non-zero if any fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x "$here/.venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$here/.venv/requirements.installed"; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$here/.venv/requirements.installed"
fi

cargo build --quiet --locked --bin kith --manifest-path "$root/Cargo.toml"
kith="$root/target/debug/kith"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
data="$(mktemp -d)"
export KITH_DATA_DIR="$data" KITH_DOMAIN="localhost:$port" KITH_LISTEN="127.0.0.1:$port" KITH_SCHEME=http KITH_LOG=warn
unset KITH_DATABASE_URL
"$kith" user create alice --email alice@example.org --password password-of-alice >/dev/null
"$kith" user create bob --email bob@example.org --password password-of-bob >/dev/null
"$kith" serve 2>"$data/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done

if [ ! -d "$here/js/node_modules" ]; then
    (cd "$here/js" && npm ci --no-audit --no-fund --silent)
fi

status=0
"$here/.venv/bin/python" "$here/mastodon_py.py" "http://localhost:$port" || { status=1; tail -n 40 "$data/serve.log"; }
node "$here/js/clients.mjs" "http://localhost:$port" || { status=1; tail -n 40 "$data/serve.log"; }
"$here/toot.sh" "http://localhost:$port" "$here/.venv/bin/toot" || { status=1; tail -n 40 "$data/serve.log"; }
exit "$status"
