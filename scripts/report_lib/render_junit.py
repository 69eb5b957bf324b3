"""The matrix as JUnit XML, for CI dashboards.

Mapping (the choices a JUnit consumer needs to know):
  PASS     a passed testcase
  XFAIL    a passed testcase with <system-out> "known failure: ..." -- the kernel itself
           does not count known deviations as failures (EXIT: STATUS stays 0), and a
           dashboard should not turn red for a documented platform deviation
  FAIL     <failure type="FAIL">
  TIMEOUT  <failure type="TIMEOUT"> (a failed expectation, not a harness error)
  SKIP     <skipped message="reason">
  NOT_RUN  reported as "# SKIP not run: ..." (random order never picked it): <skipped>, as the
           kernel counts it; not reported at all: no testcase (a suite lists what its run reported)
With --baseline, a testcase whose verdict changed says so in its <system-out> ("changed
against the baseline: was FAIL"), and the suite has a "Baseline" property.
A random-scenario run has one testcase per test point, a batch of scenarios ("01 scenarios
1-100 (seed 1)"): a batch with a divergence fails (TIMEOUT when the watchdog ended it), one
whose differences are all known deviations (its "# TODO") passes as an XFAIL does.
An incomplete run (truncated, Bail out!, FATAL) gets one extra testcase, "run completed",
with an <error>, so a crashed run cannot look green. A log without any run becomes a
suite of its own with that error as well: no log disappears from the results.
"""

import datetime
import re
import xml.etree.ElementTree as ET

from .legend import VERDICT_TEXT, verdict_value_text
from .matrix import Cell, Column, Matrix
from .run_card import incomplete_reason
from .model import LogProblem, ScenarioBatch, Verdict
from .scenarios import ScenarioReport, batch_details, batch_name, failure_message

_FAILURES = (Verdict.FAIL, Verdict.TIMEOUT)


def render_junit(matrix: Matrix) -> str:
    root = ET.Element("testsuites", name="nmi-lab")
    for index, column in enumerate(matrix.columns):
        root.append(_run_suite(matrix, index, column))
    for report in matrix.scenario_runs:
        root.append(_scenario_suite(report))
    for problem in matrix.problems:
        root.append(_problem_suite(problem))
    _set_counts(root, root.findall("testsuite"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _run_suite(matrix: Matrix, index: int, column: Column) -> ET.Element:
    suite, classname = _suite(column)
    for row in matrix.rows:
        cell = matrix.cell(row, index)
        if cell.result is not None:
            suite.append(_testcase(classname, f"{row.number:02d} {row.title}", cell))
    return _finish_suite(suite, column, classname)


def _scenario_suite(report: ScenarioReport) -> ET.Element:
    suite, classname = _suite(report.column)
    for batch in report.batches:
        suite.append(_batch_testcase(classname, batch, report))
    return _finish_suite(suite, report.column, classname)


def _suite(column: Column) -> tuple[ET.Element, str]:
    """A run's suite with its properties (the run card), and its testcases' classname."""
    run = column.run
    suite = ET.Element("testsuite", name=column.label, id=column.run_id)
    if run.log_mtime is not None:
        when = datetime.datetime.fromtimestamp(run.log_mtime, tz=datetime.timezone.utc)
        suite.set("timestamp", when.strftime("%Y-%m-%dT%H:%M:%S"))   # the log's date, UTC
    properties = ET.SubElement(suite, "properties")
    for name, value in column.facts():
        ET.SubElement(properties, "property", name=name, value=value)
    return suite, "nmi-lab." + re.sub(r"[^A-Za-z0-9]+", "_", column.label).strip("_")


def _finish_suite(suite: ET.Element, column: Column, classname: str) -> ET.Element:
    """The "run completed" error of an incomplete run, and the suite's counts."""
    run = column.run
    if not run.complete:
        case = ET.SubElement(suite, "testcase", classname=classname, name="run completed", time="0")
        ET.SubElement(case, "error", type="INCOMPLETE", message=f"incomplete run: {incomplete_reason(run)}")
    _set_counts(suite, suite.findall("testcase"))
    return suite


def _batch_testcase(classname: str, batch: ScenarioBatch, report: ScenarioReport) -> ET.Element:
    """A test point of a scenario run, mapped as an experiment's result is (the module's doc)."""
    case = ET.Element("testcase", classname=classname, name=batch_name(batch), time="0")
    details = "\n".join(batch_details(batch, report.scenarios))
    if batch.verdict in _FAILURES:
        failure = ET.SubElement(case, "failure", type=VERDICT_TEXT[batch.verdict],
                                message=failure_message(batch, report.scenarios))
        failure.text = details
    elif batch.verdict == Verdict.SKIP:
        ET.SubElement(case, "skipped", message=batch.directive or "skipped")
    else:
        known = "known failure (XFAIL)\n" if batch.verdict == Verdict.XFAIL else ""
        ET.SubElement(case, "system-out").text = known + details
    return case


def _testcase(classname: str, name: str, cell: Cell) -> ET.Element:
    elapsed = cell.result.elapsed_us if cell.result else None
    case = ET.Element("testcase", classname=classname, name=name,
                      time=f"{elapsed / 1e6:.6f}" if elapsed is not None else "0")
    details = "\n".join(cell.details)
    changed = f"changed against the baseline: was {verdict_value_text(cell.before)}" if cell.changed else ""
    if cell.verdict in _FAILURES:
        failure = ET.SubElement(case, "failure", type=VERDICT_TEXT[cell.verdict],
                                message=_failure_message(cell))
        failure.text = details
    elif cell.verdict == Verdict.SKIP:
        ET.SubElement(case, "skipped", message=cell.result.directive or "skipped")
    elif cell.verdict == Verdict.NOT_RUN:
        ET.SubElement(case, "skipped", message=cell.result.directive or "not run (no run in random order)")
    out = "\n".join(part for part in (
        changed,
        "known failure (XFAIL)" if cell.verdict == Verdict.XFAIL else "",
        details if cell.verdict not in _FAILURES and cell.verdict != Verdict.SKIP else "") if part)
    if out:
        ET.SubElement(case, "system-out").text = out
    return case


def _failure_message(cell: Cell) -> str:
    result = cell.result
    if result.expected is None and result.observed is None:
        return "not ok (no diagnostic in the log)"
    return f"expected {result.expected}; observed {result.observed}"


def _problem_suite(problem: LogProblem) -> ET.Element:
    suite = ET.Element("testsuite", name=f"unusable log {problem.log_name}", id=problem.log_path)
    case = ET.SubElement(suite, "testcase", classname="nmi-lab.logs", name="log has a run", time="0")
    ET.SubElement(case, "error", type="NO_RUN", message=problem.message)
    _set_counts(suite, [case])
    return suite


def _set_counts(element: ET.Element, children: list[ET.Element]) -> None:
    """tests/failures/errors/skipped/time, summed from testcases or from suites."""
    if element.tag == "testsuites":
        totals = {key: sum(int(s.get(key)) for s in children)
                  for key in ("tests", "failures", "errors", "skipped")}
        time = sum(float(s.get("time")) for s in children)
    else:
        totals = {"tests": len(children),
                  "failures": sum(c.find("failure") is not None for c in children),
                  "errors": sum(c.find("error") is not None for c in children),
                  "skipped": sum(c.find("skipped") is not None for c in children)}
        time = sum(float(c.get("time")) for c in children)
    for key, value in totals.items():
        element.set(key, str(value))
    element.set("time", f"{time:.6f}")
