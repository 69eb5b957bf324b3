#!/usr/bin/env bash
# Checks of the shell scripts that make test relies on. Prints one line per check and,
# last, "N passed, M failed".
#  - `scripts/mkiso --default ID` accepts a known ID every time (it once piped into
#    `grep -q`, which exits at the first match: under pipefail the writer's SIGPIPE then
#    failed about 1 run in 150). 500 runs, each stopping at the kernel check just after.
#  - No script with pipefail pipes into a reader that may stop early (grep -q, head).
set -uo pipefail

cd "$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")/.." || exit 2
passed=0 failed=0
result() {  # <ok 0|1> <description>
    if (($1)); then echo "PASS $2"; passed=$((passed + 1)); else echo "FAIL $2"; failed=$((failed + 1)); fi
}

unknown=0
for _ in $(seq 1 500); do
    out=$(scripts/mkiso --out /tmp/never.iso --amd64 /nonexistent --i386 /nonexistent --default amd64 2>&1)
    [[ $out == *"unknown entry id"* ]] && unknown=$((unknown + 1))
done
result $((unknown == 0)) "mkiso --default amd64: accepted in 500 of 500 runs (refused $unknown times)"
out=$(scripts/mkiso --out /tmp/never.iso --amd64 /nonexistent --i386 /nonexistent --default amd65 2>&1)
result $([[ $out == *"unknown entry id 'amd65'"* ]] && echo 1 || echo 0) "mkiso --default amd65: refused as unknown"

early_exit='\|[[:space:]]*(grep[[:space:]]+-[A-Za-z]*q|head\b)'
offenders=$(grep -lE 'set -[a-z]*o pipefail|set -o pipefail' scripts/* scripts/lib/* tests/*.sh tests/*/*.sh 2>/dev/null \
    | grep -vxF tests/test_scripts.sh | xargs grep -nE -- "$early_exit" 2>/dev/null | grep -v '^[^:]*:[0-9]*:[[:space:]]*#' || true)
result $([[ -z $offenders ]] && echo 1 || echo 0) "no pipefail script pipes into grep -q or head${offenders:+: $offenders}"

echo "$passed passed, $failed failed"
((failed == 0))
