#!/usr/bin/env python3
"""Every pinned platform's expected-verdict table (tests/expected/*.txt) must name each
experiment of the catalogue exactly once, with a known verdict, and nothing else: a new
experiment without a row, or a row for one that does not exist, fails here."""
import glob
import os
import sys

from catalogue import catalogue_numbers  # tests/catalogue.py, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERDICTS = {"pass", "fail", "known", "skip"}


def check_table(path, catalogue):
    problems, seen = [], {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 2 or not words[0].isdigit() or words[1] not in VERDICTS:
                problems.append(f"line {lineno}: expected '<number> <{'|'.join(sorted(VERDICTS))}>'")
                continue
            number = int(words[0])
            if number in seen:
                problems.append(f"line {lineno}: experiment {number} again (first on line {seen[number]})")
            seen[number] = lineno
    missing = sorted(set(catalogue) - set(seen))
    unknown = sorted(set(seen) - set(catalogue))
    if missing:
        problems.append(f"no row for experiment(s) {', '.join(map(str, missing))}")
    if unknown:
        problems.append(f"rows for experiment(s) the catalogue lacks: {', '.join(map(str, unknown))}")
    return problems


def main():
    catalogue = catalogue_numbers()
    tables = sorted(glob.glob(os.path.join(ROOT, "tests", "expected", "*.txt")))
    failed = False
    for table in tables:
        for problem in check_table(table, catalogue):
            print(f"{os.path.relpath(table, ROOT)}: {problem}")
            failed = True
    if not tables or failed:
        return 1
    print(f"{len(tables)} expected-verdict tables cover the catalogue's {len(catalogue)} experiments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
