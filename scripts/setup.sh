#!/usr/bin/env bash
# Set Stori up on a fresh Debian/Ubuntu machine: system packages (when root or sudo allows), .venv, requirements.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: Stori needs Python 3.11 or newer (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

# System packages: the Space's (packages.txt: FluidSynth and a GM soundfont for audio previews),
# Chromium for the browser test and redis-server for the task-queue test (the tests start their
# own; the studio never needs it).
SYSTEM_PKGS="$(tr '\n' ' ' < packages.txt)chromium redis-server"
missing=""
for p in $SYSTEM_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup: cannot install$missing without root; run: sudo apt-get install -y$missing (audio previews, the browser test and the queue test need them)" >&2
  else
    echo "setup: installing$missing"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.stori-requirements
want=$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python requirements into .venv (first time takes a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  # The runtime (its CPU torch from PyTorch's CPU index) and the test tools. Where that index cannot be
  # reached (a machine with its own mirror) pip warns once per package and goes on after one retry, not five.
  .venv/bin/python -m pip install -q --retries 1 -r requirements-dev.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi
echo "setup: ready (.venv/bin/python -m stori --help)"
