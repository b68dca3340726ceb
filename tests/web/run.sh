#!/usr/bin/env bash
# The web site in a real browser: starts two `kith serve` instances on loopback
# (127.0.0.1 and 127.0.0.2, fresh data directories, federating with each other)
# and drives them with Playwright and Debian's Chromium (web.mjs). Builds
# nothing: run after `cargo build`. Prints `web: N passed, M failed`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kith="${KITH_BIN:-$root/target/debug/kith}"
[ -x "$kith" ] || { echo "web: $kith is missing; run cargo build first" >&2; echo "web: 0 passed, 1 failed"; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund --silent)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port_a="$(free_port)"
port_b="$(free_port)"
work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

start() { # name host port
    mkdir -p "$work/$1"
    env -u KITH_DATABASE_URL KITH_DATA_DIR="$work/$1" KITH_DOMAIN="$2:$3" KITH_LISTEN="$2:$3" \
        KITH_SCHEME=http KITH_ALLOW_PRIVATE_ADDRESSES=true KITH_LOG=warn KITH_INSTANCE_NAME="$4" \
        "$kith" serve 2>"$work/$1.log" &
    pids+=("$!")
}
# An admin on instance a, for the admin page's step.
mkdir -p "$work/a"
env -u KITH_DATABASE_URL KITH_DATA_DIR="$work/a" KITH_DOMAIN="127.0.0.1:$port_a" KITH_LOG=warn \
    "$kith" user create boss --email boss@example.org --password password-of-boss --admin >/dev/null
start a 127.0.0.1 "$port_a" "Riverside Club"
start b 127.0.0.2 "$port_b" "Hilltop School"
for url in "http://127.0.0.1:$port_a" "http://127.0.0.2:$port_b"; do
    for _ in $(seq 1 300); do
        curl -fsS "$url/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
done

mkdir -p "$root/test-output/web"
status=0
node "$here/web.mjs" "http://127.0.0.1:$port_a" "http://127.0.0.2:$port_b" "$root/test-output/web" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- instance a log (tail)"; tail -n 30 "$work/a.log"
    echo "--- instance b log (tail)"; tail -n 30 "$work/b.log"
fi
exit "$status"
