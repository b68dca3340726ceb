#!/usr/bin/env bash
# Drives a running Kith with the real `toot` command-line client.
# Usage: toot.sh BASE_URL TOOT_BINARY (users alice and bob exist).
# Prints a line per check and "toot: N passed, M failed".
set -uo pipefail
base="$1"
toot="$2"
export XDG_CONFIG_HOME
XDG_CONFIG_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
passed=0
failed=0
check() {
    local name="$1"; shift
    local out
    if out="$("$@" 2>&1)"; then
        echo "ok      $name"; passed=$((passed + 1))
    else
        echo "FAILED  $name"; echo "$out" | tail -n 8; failed=$((failed + 1))
    fi
}
# Output is captured before it is searched: with pipefail, `toot ... | grep -q`
# fails when grep stops reading early.
has() { local out; out="$("${@:2}" 2>&1)" || { echo "$out" | tail -n 20; return 1; }; grep -qi -- "$1" <<<"$out" || { echo "$out" | tail -n 20; return 1; }; }
login() { echo "password-of-bob" | "$toot" login_cli -i "$base" -e bob@example.org; }
posts() {
    for v in public unlisted private direct; do
        has "Toot posted" "$toot" post --visibility "$v" "toot says $v @alice" || return 1
    done
}
timeline() { has "toot says public" "$toot" timeline --public; }
whoami() { has "@bob" "$toot" whoami; }
follow() { has "now following" "$toot" follow alice; }
favourite() {
    local out id
    out="$("$toot" post "like this" 2>&1)" || return 1
    id="$(echo "$out" | sed -n 's#.*/\([0-9][0-9]*\)$#\1#p')"
    [ -n "$id" ] && has "favourited" "$toot" favourite "$id" && has "reblogged" "$toot" reblog "$id"
}
check "log in from the console" login
check "whoami" whoami
check "post with each visibility" posts
check "read the public timeline" timeline
check "follow" follow
check "favourite and boost" favourite
echo "toot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
