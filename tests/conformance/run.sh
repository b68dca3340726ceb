#!/usr/bin/env bash
# The conformance run: schemathesis checks every implemented Mastodon operation
# of a real `kith serve` against the upstream OpenAPI document (response bodies
# against their schemas, no 5xx on generated input). Installs schemathesis in a
# venv, starts Kith on a free loopback port with a fresh SQLite database,
# creates users, runs conformance.py (which seeds data and drives schemathesis),
# stops Kith; then the same on a fresh PostgreSQL database when one answers on
# 127.0.0.1:5432 (KITH_CONFORMANCE_PG_URL overrides where). Prints
# "conformance.sqlite: N passed, M failed" (and .postgres); exits non-zero on
# any deviation.
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
users=(alice bob carol dave hank erin frank)

pid=""
data=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    if [ -n "$data" ]; then rm -rf "$data"; fi
    pid=""
    data=""
}
trap cleanup EXIT

# run_on LABEL [DATABASE_URL]: one Kith, seeded and checked.
run_on() {
    local label="$1" url="${2:-}" port status=0
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    data="$(mktemp -d)"
    # The run sends thousands of requests with one token: lift the rate limit.
    # The contact address and the source URL are what an operator sets (the
    # spec wants an email and a URL there, and Kith has no default for either).
    export KITH_DATA_DIR="$data" KITH_DOMAIN="localhost:$port" KITH_LISTEN="127.0.0.1:$port" KITH_SCHEME=http \
        KITH_LOG=warn KITH_RATE_LIMIT=100000000 KITH_CONTACT_EMAIL=admin@example.org \
        KITH_SOURCE_URL=https://source.example/kith
    if [ -n "$url" ]; then export KITH_DATABASE_URL="$url"; else unset KITH_DATABASE_URL; fi
    for u in "${users[@]}"; do
        "$kith" user create "$u" --email "$u@example.org" --password "password-of-$u" >/dev/null
    done
    "$kith" serve 2>"$data/serve.log" &
    pid=$!
    for _ in $(seq 1 200); do
        curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    CONFORMANCE_OUT="$root/test-output/conformance/$label" \
        "$here/.venv/bin/python" "$here/conformance.py" "http://localhost:$port" "$label" "${users[@]}" ||
        { status=1; echo "-- kith serve log (last 40 lines)"; tail -n 40 "$data/serve.log"; }
    cleanup
    return "$status"
}

status=0
run_on sqlite || status=1

pg="${KITH_CONFORMANCE_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if command -v psql >/dev/null && psql "$pg" -Atqc 'select 1' >/dev/null 2>&1; then
    db="kith_conformance_$$"
    export PGOPTIONS="--client-min-messages=warning"
    psql "$pg" -qc "drop database if exists $db" && psql "$pg" -qc "create database $db"
    run_on postgres "${pg%/*}/$db" || status=1
    psql "$pg" -qc "drop database if exists $db with (force)" || true
else
    echo "(no PostgreSQL at $pg: the conformance run on PostgreSQL is skipped)"
fi
exit "$status"
