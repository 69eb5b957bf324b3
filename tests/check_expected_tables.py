#!/usr/bin/env python3
"""Every pinned platform's expected-verdict table (tests/expected/*.txt) must name each
experiment of its catalogue (VMX, or SVM for the *-svm.txt tables) exactly once, with a
known verdict, and nothing else: a new experiment without a row, or a row for one that does
not exist, fails here."""
import glob
import json
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


# The platform each pinned table is for, as docs/catalogue.json names it, and its catalogue.
TABLE_PLATFORM = {"bochs-2.7.txt": ("bochs", "vmx"), "qemu-tcg.txt": ("qemu-tcg", "vmx"),
                  "bochs-2.7-svm.txt": ("bochs", "svm"), "qemu-tcg-svm.txt": ("qemu-tcg", "svm")}


def table_catalogue(path):
    """The catalogue a table covers: "svm" for the *-svm.txt tables, else "vmx"."""
    return "svm" if os.path.basename(path).endswith("-svm.txt") else "vmx"


def known_rows_match_the_model(path):
    """A table's 'known' rows are where the model says the platform's deviations show
    (docs/catalogue.json, derived from the model): each 'known' there, and each place
    the model predicts a deviation for every choice the SDM leaves open 'known' or
    'skip' (run on another CPU model)."""
    platform, catalogue = TABLE_PLATFORM.get(os.path.basename(path), (None, None))
    if not platform:
        return []
    numbers = set(catalogue_numbers(catalogue))
    with open(os.path.join(ROOT, "docs", "catalogue.json")) as f:
        deviations = [d for d in json.load(f)["deviations"]
                      if d["platform"] == platform and d.get("confirmed") and d["experiment"] in numbers]
    predicted = {d["experiment"] for d in deviations}
    certain = {d["experiment"] for d in deviations if d.get("certain", True)}
    rows = {}
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) == 2 and words[0].isdigit():
                rows[int(words[0])] = words[1]
    problems = [f"experiment {n} is 'known' but the model predicts no {platform} deviation there"
                for n, v in sorted(rows.items()) if v == "known" and n not in predicted]
    problems += [f"the model predicts a {platform} deviation in experiment {n}, which the table has as "
                 f"'{rows.get(n)}'" for n in sorted(certain) if rows.get(n) not in ("known", "skip")]
    return problems


def main():
    tables = sorted(glob.glob(os.path.join(ROOT, "tests", "expected", "*.txt")))
    failed = False
    for table in tables:
        catalogue = catalogue_numbers(table_catalogue(table))
        for problem in check_table(table, catalogue) + known_rows_match_the_model(table):
            print(f"{os.path.relpath(table, ROOT)}: {problem}")
            failed = True
    if not tables or failed:
        return 1
    print(f"{len(tables)} expected-verdict tables cover their catalogues' experiments "
          f"(VMX {len(catalogue_numbers('vmx'))}, SVM {len(catalogue_numbers('svm'))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
