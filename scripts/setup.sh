#!/usr/bin/env bash
# Set up a fresh machine for Trixy: apt packages, a .venv at the repo root, torch (CPU) first, then editable
# installs of every workspace package and the dev tools. Idempotent: a second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(espeak-ng libportaudio2 tmux sox)
PYTHON=${PYTHON:-python3.11}
VENV=.venv
PACKAGES=(protocol core models plugins server satellite standalone trainer tui)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip -q --disable-pip-version-check)

# The stamp is the hash of everything that decides what gets installed; same hash = nothing to do.
stamp=$(cat scripts/setup.sh requirements/*.txt packages/*/pyproject.toml packages/hatch_trixy.py VERSION | sha256sum | cut -c1-16)
if [ -f "$VENV/.trixy-setup" ] && [ "$(cat "$VENV/.trixy-setup")" = "$stamp" ]; then
  exit 0
fi

# torch first, the CPU build on disk: every later range it satisfies then installs nothing more.
if ! "$VENV/bin/python" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.0") else 1)' 2>/dev/null; then
  echo "setup: installing torch==2.13.0 (CPU)"
  "${PIP[@]}" install torch==2.13.0
fi
"${PIP[@]}" install "hatchling>=1.18" editables
args=()
for p in "${PACKAGES[@]}"; do args+=(-e "packages/trixy-$p"); done
echo "setup: installing the workspace packages and dev tools"
"${PIP[@]}" install --no-build-isolation "${args[@]}" -r requirements/dev.txt -r requirements/bench.txt -r requirements/plugins.txt
"$VENV/bin/python" -c 'import torch; assert torch.__version__.startswith("2.13.0"), torch.__version__'
echo "$stamp" > "$VENV/.trixy-setup"
echo "setup: done"
