"""The matrix as JSON: one object per run (what it ran on, how it ended, every experiment's
result), the experiments as the catalogue has them, and the changes against a baseline.
A random-scenario run is not in "runs" (its test points are batches of scenarios, not
experiments) but in "scenario_runs": the same facts about the run, and its "scenarios".

Schema version 2 (version 1 was the first report's flat list of records). Fields are
only added within a version; a consumer should ignore fields it does not know."""

import json

from .catalogue import Catalogue
from .matrix import Cell, Column, Matrix, Row, remark_lines
from .run_card import command_line_options, incomplete_reason, run_status, short_boot_path
from .model import DIAGNOSTIC_KEYS, EXIT_STATUS_MEANINGS, Run, ScenarioBatch, ScenarioDivergence, Verdict
from .scenarios import ScenarioReport, rerun_option

SCHEMA_VERSION = 2


def json_report(matrix: Matrix) -> dict:
    info = matrix.info
    return {
        "schema_version": SCHEMA_VERSION,
        "generated": info.generated,
        "generator": {"tool": info.tool, "version": info.version, "git": info.git},
        "catalogue": _catalogue(info.catalogue),
        "baseline": ({"file": info.baseline.path, "generated": info.baseline.generated}
                     if info.baseline else None),
        "experiments": [_experiment(matrix, row) for row in matrix.rows],
        "runs": [_run(matrix, index, column) for index, column in enumerate(matrix.columns)],
        "scenario_runs": [_scenario_run(report) for report in matrix.scenario_runs],
        "changes": [{"run": change.column, "experiment": change.number, "before": change.before,
                     "after": change.after} for change in matrix.changes],
        "problems": [{"log": p.log_path, "message": p.message} for p in matrix.problems],
    }


def _catalogue(catalogue: Catalogue | None) -> dict | None:
    if not catalogue:
        return None
    return {"file": catalogue.path, "schema_version": catalogue.schema_version,
            "project_version": catalogue.project_version}


def _experiment(matrix: Matrix, row: Row) -> dict:
    return {
        "number": row.number,
        "title": row.title,
        "rule": row.rule,
        "sdm_derived": row.sdm_derived,
        "expected_from": row.expected_from,
        "in_catalogue": row.in_catalogue,
        "anchor": row.anchor,
        "link": row.link,
        "known_deviations": [d.fields for d in row.deviations],
    }


def _run(matrix: Matrix, index: int, column: Column) -> dict:
    return {**_run_facts(column), "results": [_result(row, matrix.cell(row, index)) for row in matrix.rows]}


def _run_facts(column: Column) -> dict:
    """What any run's object says about it, a scenario run's too."""
    run, banner = column.run, column.run.banner
    return {
        "id": column.run_id,
        "label": column.label,
        "log": run.log_path,
        "log_name": run.log_name,
        "log_modified": run.log_mtime,
        "boot_in_log": run.index_in_log,
        "boot": short_boot_path(banner),
        "banner": {
            "version": banner.version, "git_revision": banner.git_rev, "arch": banner.arch,
            "firmware": banner.firmware, "multiboot": banner.multiboot, "loader": banner.loader,
            "command_line": banner.command_line, "cpu_vendor": banner.cpu_vendor,
            "cpu_signature": banner.cpu_signature, "cpu_brand": banner.cpu_brand, "platform": banner.platform,
            "hypervisor_signature": banner.hypervisor_signature, "timer": banner.timer, "cpus": banner.cpus,
            "vmx": banner.vmx, "vmx_available": banner.vmx_available,
        },
        "facts": banner.facts(),   # every "Key: value" line of the banner, known or not
        "command_line": banner.command_line,
        "options": command_line_options(banner.command_line),
        "selftests": run.selftests,
        "random_order": vars(run.random_order) if run.random_order else None,
        "status": _status(run),
        "warnings": column.warnings,
        "comments": run.comments,
        "baseline_run": column.baseline.run_id if column.baseline else None,
    }


def _scenario_run(report: ScenarioReport) -> dict:
    scenarios = report.scenarios
    counts = report.counts()
    return {**_run_facts(report.column), "scenarios": {
        "first": scenarios.first, "last": scenarios.last, "seed": scenarios.seed,
        "per_test_point": scenarios.per_test_point, "planned": scenarios.planned, "skipped": scenarios.skipped,
        "run": counts["run"], "agree": counts["agree"], "known": counts["known"], "diverge": counts["diverge"],
        "counts_from": counts["from"],   # "totals" (the log's line), or "test points" (added up: no totals)
        "platform_name": scenarios.platform_name,
        "known_deviations": [vars(d) for d in report.deviations()],
        "not_run": scenarios.not_run,
        "test_points": [_batch(batch) for batch in report.batches],
        "divergences": [_divergence(d, scenarios) for d in report.divergences],
    }}


def _batch(batch: ScenarioBatch) -> dict:
    return {
        "number": batch.number, "first": batch.first, "last": batch.last, "seed": batch.seed,
        "agree": batch.agree, "known": batch.known, "diverge": batch.diverge,
        "verdict": batch.verdict.value,
        "tap": {"ok": batch.tap_ok, "directive": batch.directive_kind, "reason": batch.directive},
        "known_deviations": batch.deviation_ids,
        "notes": batch.notes,
    }


def _divergence(divergence: ScenarioDivergence, scenarios) -> dict:
    return {
        "scenario": divergence.scenario, "test_point": divergence.test_point, "step": divergence.step,
        "expected": divergence.expected, "observed": divergence.observed, "remark": divergence.remark,
        "rerun": rerun_option(divergence, scenarios),
        "drawn": {"heading": divergence.drawn_heading, "lines": divergence.drawn},
        "shortest": {"heading": divergence.shortest_heading, "lines": divergence.shortest},
    }


def _status(run: Run) -> dict:
    summary = run.summary
    return {
        "complete": run.complete,
        "text": run_status(run),
        "incomplete_reason": None if run.complete else incomplete_reason(run),
        "format": "new" if run.new_format else "old or undetermined",
        "plan": run.plan,
        "reported": len(run.results),
        "summary": vars(summary) if summary else None,
        "exit_status": run.exit_status,
        "exit_meaning": EXIT_STATUS_MEANINGS.get(run.exit_status) if run.exit_status is not None else None,
        "bail_out": run.bail_out,
        "fatal": run.fatal,
    }


def _result(row: Row, cell: Cell) -> dict:
    result = cell.result
    record = {
        "experiment": row.number,
        "verdict": cell.verdict.value,   # every run has every row: NOT_RUN where nothing ran
        "reported": result is not None,
        "title_in_log": result.title if result else None,
        "elapsed_us": result.elapsed_us if result else None,
        "tap": ({"ok": result.tap_ok, "directive": result.directive_kind, "reason": result.directive}
                if result else None),
        "random_tally": result.random_tally if result else None,
        **{key: getattr(result, key) if result else None for key in DIAGNOSTIC_KEYS},
        "notes": list(remark_lines(result)) if result else [],
        "reason": (cell.details[0] if result is None else
                   result.directive if cell.verdict in (Verdict.SKIP, Verdict.NOT_RUN) else None),
    }
    if cell.before is not None or cell.changed:
        record["baseline_verdict"] = cell.before
    record["changed"] = cell.changed
    return record


def render_json(matrix: Matrix) -> str:
    return json.dumps(json_report(matrix), indent=1, ensure_ascii=False) + "\n"
