#!/usr/bin/env bash
# Runs the scripts/report unit tests; the last line is "N passed, M failed" (the
# project's test runner reads it). Exit status 0 only if nothing failed.
set -uo pipefail

cd "$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")/../.." || exit 2
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree

# The unittest report goes to stderr as usual; only the count line reaches stdout.
counts=$(python3 - <<'PY'
import sys
import unittest

suite = unittest.defaultTestLoader.discover("tests/report", top_level_dir="tests/report")
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
print(f"{passed} passed, {failed} failed")
PY
)

# No count line means Python itself failed before or while running the suite.
if [[ ! $counts =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
    counts="0 passed, 1 failed"
fi
echo "$counts"
[[ $counts == *" 0 failed" ]]
