#!/usr/bin/env bash
# Runs the core interoperability scenario (interop/README.md) between Kith and
# each independent peer: installs the peer, starts it on a free loopback port,
# runs the Kith-side driver against it, stops it. Exits non-zero if any fails.
# Usage: run.sh [fedify] [bovine]   (default: all)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
peers=("$@")
[ ${#peers[@]} -eq 0 ] && peers=(fedify bovine)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cargo build --quiet --locked -p federation-tests --bin interop --manifest-path "$root/Cargo.toml"
driver="$root/target/debug/interop"

status=0
for peer in "${peers[@]}"; do
    dir="$here/$peer"
    [ -x "$dir/start.sh" ] || { echo "no peer named $peer" >&2; status=1; continue; }
    port="$(free_port)"
    log="$(mktemp)"
    echo "== $peer on localhost:$port"
    (cd "$dir" && PORT="$port" exec ./start.sh) >"$log" 2>&1 &
    pid=$!
    # Wait (with a deadline) until the peer answers its control API; installs happen first.
    ok=0
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$port/control/state" >/dev/null 2>&1; then ok=1; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if [ "$ok" != 1 ]; then
        echo "$peer did not start:"; tail -n 40 "$log"
        status=1
    elif ! "$driver" --peer "http://localhost:$port" --name "$peer"; then
        echo "--- $peer log (last 60 lines)"; tail -n 60 "$log"
        status=1
    fi
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$log"
done
exit "$status"
