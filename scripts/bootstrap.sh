#!/usr/bin/env bash
# Creates .venv and installs the project with pinned dependencies (idempotent, quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e '.[test]' 2>&1 | grep -v -E '^(WARNING: Location|  )' || true
  .venv/bin/python -c "import nameko, slack_bolt, sqlalchemy, alembic, pytest" 
  rm -f .venv/.installed-*
  touch "$stamp"
fi
