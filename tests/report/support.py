"""Shared by the report tests: where things are, and the parsed test logs."""
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(__file__).resolve().parent / "data"
REPORT_SCRIPT = REPO / "scripts" / "report"

# report_lib lives next to the script it serves, not in an installed package.
sys.path.insert(0, str(REPO / "scripts"))

from report_lib.parse import read_log  # noqa: E402


def log_path(name: str) -> str:
    return str(DATA / name)


def only_run(name: str):
    """The single run a log holds (fails the caller's test if there is not exactly one)."""
    runs, problem = read_log(log_path(name))
    assert problem is None, problem
    assert len(runs) == 1, f"{name}: {len(runs)} runs"
    return runs[0]


def verdicts(run) -> dict:
    return {number: result.verdict.value for number, result in run.results.items()}
