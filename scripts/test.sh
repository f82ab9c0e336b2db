#!/usr/bin/env bash
# The one test command: lint (ruff, including the no-print rule for product code) then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
