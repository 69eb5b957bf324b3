"""Shared by the report tests: where things are, and the parsed test logs."""
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(__file__).resolve().parent / "data"
REPORT_SCRIPT = REPO / "scripts" / "report"

# report_lib lives next to the script it serves, not in an installed package.
sys.path.insert(0, str(REPO / "scripts"))

from report_lib.catalogue import load_catalogue  # noqa: E402
from report_lib.parse import read_log  # noqa: E402

CATALOGUE = load_catalogue()[0]
# The VMX catalogue's experiments, whatever their count: the test logs are VMX runs, and a
# report's rows are the catalogues its runs used.
NUMBERS = sorted(n for n, e in CATALOGUE.experiments.items() if e.catalogue == "vmx")
SDM_DERIVED = [n for n in NUMBERS if CATALOGUE.experiments[n].sdm_derived]

# The logs of the first report version's tests: real captures of an older kernel and
# variants made from them (derive_variants.py). The newer ones are listed where used.
OLD_LOGS = ["bail-out.log", "bochs-amd64-verbose.log", "bochs-amd64.log", "bochs-i386.log", "crlf-escape-heavy.log",
            "empty.log", "garbage.bin", "kvm-amd64-uefi-dup-grub.log", "qemu-amd64-bios.log", "random-order.log",
            "truncated-mid-yaml.log", "two-boots.log"]


def log_path(name: str) -> str:
    return str(DATA / name)


def matrix_of(*names, baseline=None):
    from report_lib.matrix import build_matrix
    runs, problems = [], []
    for name in names:
        log_runs, problem = read_log(log_path(name))
        runs += log_runs
        problems += [problem] if problem else []
    return build_matrix(runs, problems, CATALOGUE, baseline)


def row(matrix, number):
    return next(r for r in matrix.rows if r.number == number)


def only_run(name: str):
    """The single run a log holds (fails the caller's test if there is not exactly one)."""
    runs, problem = read_log(log_path(name))
    assert problem is None, problem
    assert len(runs) == 1, f"{name}: {len(runs)} runs"
    return runs[0]


def verdicts(run) -> dict:
    return {number: result.verdict.value for number, result in run.results.items()}
