"""The matrix as GitHub-flavoured Markdown: the matrix first, then its notes, the known
deviations, the random-scenario runs, the notation, and the run cards."""

from .legend import (EXPECTED_TEXT, NOTATION, NOT_RUN_TEXT, SDM_DERIVED_LEGEND, SDM_DERIVED_MARK, VERDICT_MEANING,
                     VERDICT_TEXT, verdict_value_text)
from .matrix import Matrix, Row, format_numbers
from .model import Verdict
from .scenarios import (SCENARIOS_INTRO, ScenarioReport, batch_range, divergence_facts, divergence_title,
                        reproducers)


def render_markdown(matrix: Matrix, title: str) -> str:
    parts = [f"# {title}", "", _escape(matrix.info.text()), ""]
    parts += _problems(matrix)
    parts += _legend(matrix)
    parts += _table(matrix)
    parts += _changes(matrix)
    parts += _footnotes(matrix)
    parts += _deviations(matrix)
    parts += _scenarios(matrix)
    parts += _notation()
    parts += _runs(matrix)
    return "\n".join(parts) + "\n"


def _escape(text: str) -> str:
    """Only what would break a table cell or turn into markup; escaping more (brackets,
    underscores inside words) would make the raw Markdown hard to read for nothing."""
    for char in "\\|*`":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;").replace("\n", " ")


def _problems(matrix: Matrix) -> list[str]:
    if not matrix.problems:
        return []
    lines = ["## Logs without results", ""]
    lines += [f"- **{_escape(p.log_name)}**: {_escape(p.message)}" for p in matrix.problems]
    return lines + [""]


def _legend(matrix: Matrix) -> list[str]:
    if not matrix.columns:
        below = " (the random-scenario runs are below)" if matrix.scenario_runs else ""
        return ["## Results", "", f"No run of the catalogue's experiments in these logs{below}.", ""]
    meanings = [f"**{VERDICT_TEXT[v]}** {VERDICT_MEANING[v]}" for v in Verdict if v != Verdict.NOT_RUN]
    meanings.append(f"*{NOT_RUN_TEXT}* or blank: {VERDICT_MEANING[Verdict.NOT_RUN]}")
    legend = ("Legend: " + "; ".join(meanings) + f". {SDM_DERIVED_MARK} {SDM_DERIVED_LEGEND}. "
              "Expected: where the expected result comes from (silicon, or the SDM). "
              "Known deviations: platforms documented to differ here (see D*n* below). [n]: see note n.")
    if matrix.info.baseline:
        legend += " \u0394: the verdict changed against the baseline (was ...)."
    return ["## Results", "", legend, ""]


def _table(matrix: Matrix) -> list[str]:
    if not matrix.columns:
        return []
    header = ["#", "Experiment", "Expected", "Known deviations",
              *(_escape(c.label) + ("" if c.run.complete else " (incomplete run)") for c in matrix.columns)]
    lines = [_table_line(header), _table_line(["--:", "---", ":-:", "---", *(":-:" for _ in matrix.columns)])]
    for row in matrix.rows:
        lines.append(_table_line([_row_number(row), _title(row), _expected(row), _deviation_cell(matrix, row),
                                  *(_cell_text(matrix, row, i) for i in range(len(matrix.columns)))]))
    return lines + [""]


def _table_line(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _row_number(row: Row) -> str:
    number = f"{row.number}{SDM_DERIVED_MARK}" if row.sdm_derived else str(row.number)
    return f"[{number}]({row.link})" if row.link else number


def _title(row: Row) -> str:
    title = _escape(row.title)
    if not row.in_catalogue:
        title += " (not in the catalogue: title from the log)"
    return title + (f"<br><sub>{_escape(row.rule)}</sub>" if row.rule else "")


def _expected(row: Row) -> str:
    return EXPECTED_TEXT.get(row.expected_from, "?")


def _deviation_cell(matrix: Matrix, row: Row) -> str:
    return ", ".join(f"{_escape(note.platform_name)} ({note.label})" for note in matrix.deviation_labels(row))


def _cell_text(matrix: Matrix, row: Row, column_index: int) -> str:
    cell = matrix.cell(row, column_index)
    text = cell.text
    if cell.verdict == Verdict.NOT_RUN:
        text = f"*{text}*" if text else ""
    elif cell.verdict != Verdict.PASS:
        text = f"**{text}**"
    if cell.footnote:
        text += f" [{cell.footnote.number}]"
    if cell.changed:
        text += f" \u0394 (was {verdict_value_text(cell.before)})"
    return text


def _changes(matrix: Matrix) -> list[str]:
    baseline = matrix.info.baseline
    if not baseline:
        return []
    lines = ["## Changes against the baseline", ""]
    unmatched = [c.label for c in matrix.columns if c.baseline is None]
    if unmatched:
        lines += [f"No baseline run for: {_escape(', '.join(unmatched))}.", ""]
    if not matrix.changes:
        lines.append("No verdict changed.")
    for change in matrix.changes:
        lines.append(f"- {_escape(change.column)}, experiment {change.number}: "
                     f"{verdict_value_text(change.before)} \u2192 {verdict_value_text(change.after)}")
    return lines + [""]


def _footnotes(matrix: Matrix) -> list[str]:
    if not matrix.footnotes:
        return []
    lines = ["## Notes", ""]
    for note in matrix.footnotes:
        lines.append(f"{note.number}. **{VERDICT_TEXT[note.verdict] or NOT_RUN_TEXT}** in {_escape(note.places_text())}")
        lines += [f"    - {_escape(line)}" for line in note.lines]   # 4 spaces nest under "10."
    return lines + [""]


def _deviations(matrix: Matrix) -> list[str]:
    if not matrix.deviation_notes or not matrix.columns:
        return []
    lines = ["## Known deviations", "",
             "What the catalogue documents for each platform; a run on that platform reports a "
             "failure there as XFAIL.", ""]
    for note in matrix.deviation_notes:
        lines.append(f"- **{note.label}** {_escape(note.platform_name)}, experiments "
                     f"{format_numbers(note.experiments)}: {_escape(note.note)} ({_escape(note.reference)})")
    return lines + [""]


def _scenarios(matrix: Matrix) -> list[str]:
    if not matrix.scenario_runs:
        return []
    lines = ["## Random scenarios", "", _escape(SCENARIOS_INTRO), ""]
    for report in matrix.scenario_runs:
        lines += _scenario_run(report)
    return lines


def _scenario_run(report: ScenarioReport) -> list[str]:
    lines = [f"### {_escape(report.column.label)}", ""]
    lines += [f"- {name}: {_code(value) if name == 'Rerun' else _escape(value)}" for name, value in report.facts()]
    lines.append("")
    lines += _test_points(report)
    deviations = report.deviations()
    if deviations:
        lines += ["The known deviations that explained scenarios, and in how many:", ""]
        lines += [f"- `{d.id}`{f' ({d.scenarios})' if d.scenarios is not None else ''}: "
                  f"{_escape(d.note or 'no note in the log')}" for d in deviations]
        lines.append("")
    for divergence in report.divergences:
        lines += [f"#### {_escape(divergence_title(divergence))}", ""]
        for name, value in divergence_facts(divergence, report.scenarios):
            value = _code(value) if name == "Alone" else _escape(value)
            lines.append(f"- {name}: {value}" if name else f"- {value}")
        lines.append("")
        for heading, code in reproducers(divergence):
            lines += [_escape(heading), "", "```c", *code, "```", ""]
    return lines


def _code(option: str) -> str:
    """A kernel option to copy ("scenarios=150-150 seed=3"): it has no backquote."""
    return f"`{option}`"


def _test_points(report: ScenarioReport) -> list[str]:
    if not report.batches:
        return []
    lines = [_table_line(["Test point", "Scenarios", "Agree", "Known", "Diverge", "Verdict"]),
             _table_line(["--:", ":-:", "--:", "--:", "--:", ":-:"])]
    for batch in report.batches:
        verdict = VERDICT_TEXT[batch.verdict]
        counts = [str(n) if n is not None else "?" for n in (batch.agree, batch.known, batch.diverge)]
        lines.append(_table_line([str(batch.number), batch_range(batch), *counts,
                                  verdict if batch.verdict == Verdict.PASS else f"**{verdict}**"]))
    lines.append("")
    notes = [f"- Test point {batch.number}: {_escape(note)}" for batch in report.batches for note in batch.notes]
    return lines + notes + ([""] if notes else [])


def _notation() -> list[str]:
    lines = ["## Notation", ""]
    lines += [f"- `{term}`: {_escape(meaning)}" for term, meaning in NOTATION]
    return lines + [""]


def _runs(matrix: Matrix) -> list[str]:
    lines = ["## Runs", ""]
    for column in matrix.run_columns():
        lines += [f"### {_escape(column.label)}", ""]
        lines += [f"- {name}: {_escape(value)}" for name, value in column.facts()]
        lines.append("")
    return lines
