"""The catalogues' experiment numbers, for the test scripts: from docs/catalogue.json,
which is generated from experiments/catalogue.c and catalogue_svm.c and checked up to date
by make unit-test."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def catalogue_numbers(catalogue=None):
    """Every experiment's number, or those of one catalogue ("vmx", "svm")."""
    with open(os.path.join(ROOT, "docs", "catalogue.json")) as f:
        return [x["number"] for x in json.load(f)["experiments"]
                if catalogue is None or x.get("catalogue", "vmx") == catalogue]
