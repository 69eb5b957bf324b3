#!/usr/bin/env bash
# A fresh clone must build with `make`, `make iso` and `make vmdk`, each run on its own in
# a clone of its own (make test's deps and shared build/ would hide a wrong default goal
# or a generator that does not create its output directory). The "clone" is this work
# tree's files as git would commit them (tracked and not ignored), so uncommitted changes
# are tested too. Prints one line per target and, last, "N passed, M failed".
set -euo pipefail

root=$(cd "$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nmi-lab-fresh.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# target|files it must leave
CASES=(
    "|build/amd64/nmi-lab.elf build/i386/nmi-lab.elf"
    "iso|build/nmi-lab.iso"
    "vmdk|build/nmi-lab.vmdk build/nmi-lab.vmx"
)

copy_tree() {  # <dir>
    mkdir -p -- "$1"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done \
        | xargs -0 cp --parents -t "$1" --)
}

passed=0 failed=0
for case in "${CASES[@]}"; do
    target=${case%%|*}
    dir=$tmp/clone-${target:-default}
    copy_tree "$dir"
    log=$tmp/make-${target:-default}.log
    ok=1
    nice make -C "$dir" -j2 $target >"$log" 2>&1 || ok=0
    for f in ${case#*|}; do [[ -s $dir/$f ]] || ok=0; done
    if ((ok)); then
        echo "PASS fresh clone: make ${target:-(no target)} builds ${case#*|}"
        passed=$((passed + 1))
    else
        echo "FAIL fresh clone: make ${target:-(no target)}; its output:"
        tail -n 20 -- "$log" | sed 's/^/  /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
((failed == 0))
