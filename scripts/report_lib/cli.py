"""scripts/report: serial logs in, four report files out."""

import argparse
import os
import sys
import traceback

from .matrix import build_matrix
from .model import LogProblem, Run
from .parse import display_name, read_log
from .render_html import render_html
from .render_json import render_json
from .render_junit import render_junit
from .render_markdown import render_markdown

EXIT_WROTE_REPORTS = 0
EXIT_CANNOT_WRITE = 1
EXIT_USAGE = 2      # also: not one log gave a run
PROG = "report"
TITLE = "nmi-lab experiment results"

DESCRIPTION = """\
Reads nmi-lab serial logs (any platform, any build; noise, truncation and garbage are
tolerated) and writes a results matrix: NAME.md, NAME.html, NAME.json, NAME.junit.xml."""
EPILOG = """\
Verdicts: PASS, FAIL, XFAIL (not ok with "# TODO known ... deviation"), SKIP, TIMEOUT
(not ok whose YAML says "observed: timeout ..."), and not run (blank). In the JUnit
file an XFAIL is a passed testcase with a <system-out> note, and a run without
SUMMARY/EXIT (truncated, Bail out!, FATAL) has an extra "run completed" testcase
with an <error>.

Exit status: 0 when the reports were written (even if some logs gave warnings),
1 if they could not be written, 2 on a usage error or when no log held a run."""


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", metavar="DIR", default=os.path.join("build", "report"),
                        help="directory for the reports (default: build/report)")
    parser.add_argument("--name", default="report", help="base name of the report files (default: report)")
    parser.add_argument("logs", nargs="+", metavar="LOG", help="serial log files")
    return parser


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def read_logs(paths: list[str]) -> tuple[list[Run], list[LogProblem]]:
    runs: list[Run] = []
    problems: list[LogProblem] = []
    for path in paths:
        try:
            log_runs, problem = read_log(path)
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


def write_reports(out_dir: str, name: str, runs: list[Run], problems: list[LogProblem]) -> list[str]:
    matrix = build_matrix(runs, problems)
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
    runs, problems = read_logs(args.logs)
    if not runs:
        print(f"{PROG}: error: no log held an nmi-lab run; nothing written", file=sys.stderr)
        return EXIT_USAGE
    try:
        written = write_reports(args.out_dir, args.name, runs, problems)
    except OSError as error:
        print(f"{PROG}: error: cannot write the reports: {error}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    for path in written:
        print(path)
    return EXIT_WROTE_REPORTS
