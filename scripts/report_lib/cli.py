"""scripts/report: serial logs in, four report files out."""

import argparse
import os
import re
import subprocess
import sys
import traceback

from .baseline import BaselineError, load_baseline
from .catalogue import DEFAULT_PATH as DEFAULT_CATALOGUE, CatalogueError, load_catalogue
from .matrix import ReportInfo, build_matrix, generation_time
from .model import LogProblem, Run
from .parse import MAX_LOG_BYTES, display_name, read_log
from .render_html import render_html
from .render_json import render_json
from .render_junit import render_junit
from .render_markdown import render_markdown

EXIT_WROTE_REPORTS = 0
EXIT_CANNOT_WRITE = 1
EXIT_USAGE = 2      # also: not one log gave a run, or the baseline is unusable
PROG = "report"
TITLE = "nmi-lab experiment results"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

DESCRIPTION = """\
Reads nmi-lab serial logs (any platform, any build, old or new log format; noise,
truncation and garbage are tolerated) and writes a results matrix: NAME.md, NAME.html,
NAME.json, NAME.junit.xml. Titles, rules, the SDM-derived flags and the known deviations
come from the catalogue (docs/catalogue.json), so even a one-experiment log or a run
that bailed out gives the whole matrix."""
EPILOG = """\
Verdicts: PASS, FAIL, XFAIL (not ok with "# TODO known ... deviation" or "# TODO
reported for ..."), SKIP, TIMEOUT (not ok whose YAML says "observed: timeout ..." or
"observed: no progress for N ms"), and not run ("# SKIP not run: ..." in random order,
or not reported at all: blank). In the JUnit file an XFAIL is a passed testcase with a
<system-out> note, and a run without SUMMARY/EXIT (truncated, Bail out!, FATAL) has an
extra "run completed" testcase with an <error>.

A random-scenario run (scenarios=, seed=) has no column in the matrix: its test points
are batches of scenarios, not experiments. It gets a section of its own (range, seed,
counts, the known deviations that explained scenarios, each divergence with the option
that reruns it alone and its reproducers), "scenario_runs" in the JSON, and in the JUnit
file one testcase per batch (a failure if a scenario diverged; an XFAIL-like pass if all
its differences are known deviations).

--baseline REF.json: REF.json is the NAME.json of an earlier report; each run is
compared with the baseline run on the same platform, build and boot path (or with its
only run, when both have one), and every format marks the verdicts that changed.

LOG must be a regular file (a FIFO or a device is refused: save the serial output
first); at most --max-log-mib MiB of it are read.

Exit status: 0 when the reports were written (even if some logs gave warnings),
1 if they could not be written, 2 on a usage error, an unusable --baseline, or when no
log held a run."""


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", metavar="DIR", default=os.path.join("build", "report"),
                        help="directory for the reports (default: build/report)")
    parser.add_argument("--name", default="report", help="base name of the report files (default: report)")
    parser.add_argument("--baseline", metavar="REF.json", help="mark what changed against this earlier report")
    parser.add_argument("--catalogue", metavar="FILE", default=DEFAULT_CATALOGUE,
                        help="the experiment catalogue (default: docs/catalogue.json next to this script)")
    parser.add_argument("--docs-url", metavar="URL",
                        help="where the rows link to (docs/experiments.md; default: its path relative "
                             "to --out-dir)")
    parser.add_argument("--max-log-mib", metavar="N", type=int, default=MAX_LOG_BYTES // (1024 * 1024),
                        help=f"read at most N MiB of each log (default {MAX_LOG_BYTES // (1024 * 1024)})")
    parser.add_argument("logs", nargs="+", metavar="LOG", help="serial log files")
    return parser


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def read_logs(paths: list[str], max_bytes: int = MAX_LOG_BYTES) -> tuple[list[Run], list[LogProblem]]:
    runs: list[Run] = []
    problems: list[LogProblem] = []
    for path in paths:
        try:
            log_runs, problem = read_log(path, max_bytes)
        except Exception as error:   # a parser bug must cost one log, not the whole report
            traceback.print_exc()
            name = display_name(path)
            log_runs, problem = [], LogProblem(name, os.path.basename(name),
                                               f"internal error while reading the log: {error!r}")
        runs += log_runs
        if problem:
            problems.append(problem)
            _warn(f"{problem.log_path}: {problem.message}")
        for run in log_runs:
            for warning in run.warnings:
                _warn(f"{run.log_path} (boot {run.index_in_log}): {warning}")
    return runs, problems


def project_version() -> str:
    """VERSION from the Makefile beside the script (the kernel's version too)."""
    try:
        with open(os.path.join(REPO, "Makefile"), encoding="utf-8") as makefile:
            match = re.search(r"^VERSION\s*:?=\s*(\S+)", makefile.read(), re.MULTILINE)
        return match[1] if match else "unknown"
    except OSError:
        return "unknown"


def git_revision() -> str | None:
    if not os.path.exists(os.path.join(REPO, ".git")):
        return None
    try:
        done = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def docs_link(out_dir: str, catalogue, docs_url: str | None) -> str | None:
    if docs_url:
        return docs_url
    if not catalogue:
        return None
    document = os.path.join(REPO, catalogue.document)
    return os.path.relpath(document, os.path.abspath(out_dir)).replace(os.sep, "/")


def write_reports(out_dir: str, name: str, matrix) -> list[str]:
    contents = {
        f"{name}.md": render_markdown(matrix, TITLE),
        f"{name}.html": render_html(matrix, TITLE),
        f"{name}.json": render_json(matrix),
        f"{name}.junit.xml": render_junit(matrix),
    }
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for file_name, text in contents.items():
        path = os.path.join(out_dir, file_name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = _argument_parser()
    args = parser.parse_args(argv)   # exits with 2 on a usage error
    if not args.name or os.sep in args.name or args.name in (".", ".."):
        parser.error(f"--name must be a plain file name, not {args.name!r}")
    if args.max_log_mib < 1:
        parser.error("--max-log-mib must be at least 1")
    catalogue = None
    try:
        catalogue, warnings = load_catalogue(args.catalogue)
        for warning in warnings:
            _warn(warning)
    except CatalogueError as error:
        _warn(f"{error}; titles come from the logs, and experiments no log reports are missing")
    baseline = None
    if args.baseline:
        try:
            baseline = load_baseline(args.baseline)
        except BaselineError as error:
            print(f"{PROG}: error: {error}", file=sys.stderr)
            return EXIT_USAGE
    runs, problems = read_logs(args.logs, args.max_log_mib * 1024 * 1024)
    if not runs:
        print(f"{PROG}: error: no log held an nmi-lab run; nothing written", file=sys.stderr)
        return EXIT_USAGE
    info = ReportInfo(generation_time(), "scripts/report", project_version(), git_revision(), catalogue, baseline,
                      docs_link(args.out_dir, catalogue, args.docs_url))
    matrix = build_matrix(runs, problems, catalogue, baseline, info)
    try:
        written = write_reports(args.out_dir, args.name, matrix)
    except OSError as error:
        print(f"{PROG}: error: cannot write the reports: {error}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    for path in written:
        print(path)
    return EXIT_WROTE_REPORTS
