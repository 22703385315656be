#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format; `tools/check_format.sh --fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/sluice-format.log; then
  head -40 /tmp/sluice-format.log
  echo "format check failed: run tools/check_format.sh --fix"
  exit 1
fi
echo "format check: ${#files[@]} files ok"
