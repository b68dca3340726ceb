#!/usr/bin/env bash
# Starts the bovine interop peer: PORT=8124 ./start.sh
# Creates .venv and installs the pinned requirements (from PyPI) on first use,
# or again when requirements.txt changes, then runs server.py.
set -euo pipefail
cd "$(dirname "$0")"

: "${PORT:?set PORT to the port the peer listens on}"

PY=.venv/bin/python
STAMP=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x "$PY" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  [ -x "$PY" ] || python3 -m venv .venv >&2
  "$PY" -m pip install --disable-pip-version-check -q -r requirements.txt >&2
  echo "$want" > "$STAMP"
fi

exec "$PY" server.py
