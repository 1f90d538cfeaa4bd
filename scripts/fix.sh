#!/usr/bin/env bash
# Apply ruff's safe fixes and formatting, then show what is left.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check --fix -q . || true
.venv/bin/ruff format -q .
.venv/bin/ruff check .
.venv/bin/mypy --no-incremental
