#!/usr/bin/env bash
# Runs the libFuzzer targets (build/fuzz/fuzz-cmdline, build/fuzz/fuzz-options) for
# SECONDS each, starting from the corpus in tests/fuzz/corpus/<target>, then the
# property-based fuzzer of the report's log parser for SECONDS. New inputs libFuzzer
# finds go to build/fuzz/corpus-<target>, never into the tree; a crash leaves its input
# in build/fuzz/ and fails. Prints one line per fuzzer with its run count.
# Usage: tests/fuzz/run.sh SECONDS
set -euo pipefail

cd "$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a whole number > 0, got '$seconds'" >&2; exit 2; }
out=build/fuzz
failed=0

for target in cmdline options; do
    work=$out/corpus-$target
    log=$out/fuzz-$target.log
    mkdir -p "$work"
    if "$out/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=2048 -dict="tests/fuzz/$target.dict" -artifact_prefix="$out/crash-$target-" \
        -print_final_stats=1 "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
        runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
        echo "fuzz-$target: ${runs:-? runs}, no invariant broken, no sanitizer report"
    else
        echo "fuzz-$target: FAILED (log: $log; input: $out/crash-$target-*):" >&2
        grep -m 5 -E 'invariant failed|ERROR: |SUMMARY: |runtime error' "$log" >&2 || true
        failed=1
    fi
done

# Debian's python3-hypothesis lives under /usr/bin/python3, not a pyenv python3.
if ! /usr/bin/python3 tests/fuzz/fuzz_report_parse.py --seconds "$seconds"; then
    failed=1
fi
exit $failed
