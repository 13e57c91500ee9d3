#!/usr/bin/env bash
# Install what the tests need, run the whole suite, then the static checks the project keeps clean.
# This is the README's second command and all that CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e '.[dev]'
# Neovim is only for the headless editor test; install it where Debian's apt is at hand.
if ! command -v nvim >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq neovim >/dev/null) || echo "note: neovim not installed; its test will skip"
fi
python -m pytest "$@"
ruff check sqlguard tests benchmarks
mypy
lint-imports
