"""The matrix as one self-contained HTML page (inline CSS, no scripts): the matrix first,
then its notes, the known deviations, the random-scenario runs, the notation, and the run
cards."""

from html import escape

from .legend import (EXPECTED_TEXT, NOTATION, NOT_RUN_TEXT, SDM_DERIVED_LEGEND, SDM_DERIVED_MARK, VERDICT_MEANING,
                     VERDICT_TEXT, verdict_value_text)
from .matrix import Column, Matrix, Row, format_numbers
from .run_card import run_label
from .model import Verdict
from .scenarios import (SCENARIOS_INTRO, ScenarioReport, batch_details, batch_range, divergence_facts,
                        divergence_title, reproducers)

# Light backgrounds with dark text of the same hue: readable, printable, and the verdict
# is also written in each cell for readers who cannot tell the colours apart.
_STYLE = """
body { font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       margin: 16px 20px; }
h1 { font-size: 20px; margin: 0 0 10px; }
h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 2px; }
.problems { background: #fff4e5; border: 1px solid #f0b95b; padding: 6px 10px; border-radius: 4px; }
.problems ul { margin: 2px 0; padding-left: 18px; }
.runs { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 8px; }
.run { border: 1px solid #ccd; border-radius: 4px; padding: 5px 8px; background: #fafbfc; }
.run h3 { font-size: 13px; margin: 0 0 3px; }
.run.incomplete { border-color: #c0392b; background: #fff7f6; }
.run dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0; font-size: 12px; }
.run dt { color: #5b6270; }
.run dd { margin: 0; overflow-wrap: anywhere; }
.run dd.status-incomplete { color: #a11d12; font-weight: 600; }
.run details { font-size: 12px; margin-top: 2px; }
.run summary { color: #5b6270; cursor: pointer; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0 8px; font-size: 12px; }
.legend span.v { display: inline-block; min-width: 52px; text-align: center; border: 1px solid #bbb;
                 padding: 0 4px; margin-right: 4px; font-weight: 600; }
table.matrix { border-collapse: collapse; font-size: 12px; }
.matrix th, .matrix td { border: 1px solid #c8c8c8; padding: 2px 6px; vertical-align: top; }
.matrix thead th { background: #eef0f3; position: sticky; top: 0; }
.matrix thead th.title { text-align: left; }
.matrix th.run { max-width: 120px; font-weight: 600; }
.matrix th.run a { color: inherit; text-decoration: none; }
.matrix th.run .source { display: block; font-weight: 400; font-size: 10.5px; color: #5b6270;
                         overflow-wrap: anywhere; }
.matrix td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.matrix td.title { min-width: 320px; max-width: 600px; }
.matrix tr.sdm td.num, .matrix tr.sdm td.title { background: #f6f3ea; }
.matrix td.v { text-align: center; white-space: nowrap; font-weight: 600; min-width: 58px; }
.matrix td.v sup { font-weight: 400; margin-left: 2px; }
.matrix td.v sup a { color: inherit; }
.matrix tfoot td { background: #eef0f3; font-size: 11px; text-align: center; }
.PASS { background: #c9ecc9; color: #0f4d12; }
.FAIL { background: #f6c1bd; color: #7d0f08; }
.XFAIL { background: #ffe08a; color: #6b4a00; }
.SKIP { background: #dcdde0; color: #41464b; }
.TIMEOUT { background: #dcc8f3; color: #4a1f80; }
.NOT_RUN { background: #fff; color: #5b6270; font-weight: 400; font-style: italic; }
.matrix td.v.changed { outline: 2px solid #1f5fbf; outline-offset: -3px; }
.matrix td.v .was { display: block; font-size: 10px; font-weight: 400; color: #1f5fbf; }
.matrix td.num a { color: inherit; }
.matrix th.run .incomplete { display: block; color: #a11d12; font-size: 10.5px; }
.matrix td.title .rule { display: block; color: #5b6270; font-size: 11px; }
.matrix td.exp { text-align: center; white-space: nowrap; }
.matrix td.dev { font-size: 11px; max-width: 170px; }
.matrix td.dev a { color: #6b4a00; }
.info { color: #5b6270; font-size: 12px; margin: 0 0 8px; }
ul.changes, ul.deviations, dl.notation { font-size: 12px; }
dl.notation { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; }
dl.notation dt { font-family: ui-monospace, Menlo, Consolas, monospace; }
dl.notation dd { margin: 0; }
ol.notes { padding-left: 28px; font-size: 12px; column-width: 620px; column-gap: 32px; }
ol.notes li { margin-bottom: 4px; break-inside: avoid; }
ol.notes .verdict { display: inline-block; padding: 0 4px; font-weight: 600; }
ol.notes .lines { display: block; color: #333; font-family: ui-monospace, Menlo, Consolas, monospace;
                  font-size: 11.5px; white-space: pre-wrap; }
.scenario-run { border: 1px solid #ccd; border-radius: 4px; padding: 5px 10px; margin: 8px 0; background: #fafbfc; }
.scenario-run h3 { font-size: 13px; margin: 0 0 4px; }
.scenario-run h3 a { color: inherit; }
.scenario-run h4 { font-size: 12.5px; margin: 8px 0 2px; }
.scenario-run dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0 0 4px;
                   font-size: 12px; }
.scenario-run dt { color: #5b6270; }
.scenario-run dd { margin: 0; overflow-wrap: anywhere; }
.scenario-run ul { font-size: 12px; margin: 2px 0 4px; padding-left: 18px; }
.scenario-run p { font-size: 12px; margin: 4px 0 2px; }
table.points { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
.points th, .points td { border: 1px solid #c8c8c8; padding: 2px 6px; text-align: right;
                         font-variant-numeric: tabular-nums; }
.points thead th { background: #eef0f3; }
.points td.v { text-align: center; font-weight: 600; min-width: 58px; }
pre.code { background: #f4f4f6; border: 1px solid #ddd; padding: 4px 8px; margin: 2px 0 6px; font-size: 11.5px;
           overflow-x: auto; }
"""

def render_html(matrix: Matrix, title: str) -> str:
    body = [f"<h1>{escape(title)}</h1>", f'<p class="info">{escape(matrix.info.text())}</p>', _problems(matrix),
            _legend(matrix), _table(matrix), _changes(matrix), _footnotes(matrix), _deviations(matrix),
            _scenarios(matrix), _notation(), _runs(matrix)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _problems(matrix: Matrix) -> str:
    if not matrix.problems:
        return ""
    items = "".join(f"<li><b>{escape(p.log_name)}</b>: {escape(p.message)}</li>" for p in matrix.problems)
    return f'<div class="problems"><b>Logs without results</b><ul>{items}</ul></div>'


def _runs(matrix: Matrix) -> str:
    cards = "\n".join(_run_card(column) for column in matrix.run_columns())
    return f'<h2>Runs</h2>\n<div class="runs">\n{cards}\n</div>'


# Facts folded away under "more" so that a dozen run cards stay short.
_SECONDARY_FACTS = ("CPU model", "VMX", "Timer", "CPUs", "BSP", "APIC", "Self-test", "Log comments", "Crash dump")


def _run_card(column: Column) -> str:
    incomplete = not column.run.complete
    facts = column.facts()
    primary = [_fact(name, value, incomplete) for name, value in facts if name not in _SECONDARY_FACTS]
    secondary = [_fact(name, value, incomplete) for name, value in facts if name in _SECONDARY_FACTS]
    more = f'<details><summary>more</summary><dl>{"".join(secondary)}</dl></details>' if secondary else ""
    css = "run incomplete" if incomplete else "run"
    return (f'<section class="{css}" id="{column.anchor}"><h3>{escape(column.label)}</h3>'
            f'<dl>{"".join(primary)}</dl>{more}</section>')


def _fact(name: str, value: str, incomplete: bool) -> str:
    css = ' class="status-incomplete"' if name == "Status" and incomplete else ""
    return f"<dt>{escape(name)}</dt><dd{css}>{escape(value)}</dd>"


def _legend(matrix: Matrix) -> str:
    if not matrix.columns:
        below = " (the random-scenario runs are below)" if matrix.scenario_runs else ""
        return f'<h2>Results</h2>\n<p class="info">No run of the catalogue\'s experiments in these logs{below}.</p>'
    items = [f'<span><span class="v {v.value}">{VERDICT_TEXT[v] or NOT_RUN_TEXT}</span>'
             f"{escape(VERDICT_MEANING[v])}</span>" for v in Verdict]
    items.append(f"<span><b>{SDM_DERIVED_MARK}</b> {escape(SDM_DERIVED_LEGEND)}</span>")
    items.append("<span>Expected: where the expected result comes from (silicon, or the SDM); "
                 "Known deviations: platforms documented to differ (D<i>n</i>, below).</span>")
    if matrix.info.baseline:
        items.append('<span><span class="v changed-legend" style="outline: 2px solid #1f5fbf">was ...</span>'
                     "the verdict changed against the baseline</span>")
    items.append("<span>Hover a cell for its diagnostic; the small number links to its note, the "
                 "experiment's number to its description.</span>")
    return '<h2>Results</h2>\n<div class="legend">' + "".join(items) + "</div>"


_INCOMPLETE_MARK = '<span class="incomplete">incomplete run</span>'


def _table(matrix: Matrix) -> str:
    if not matrix.columns:
        return ""
    head = "".join(f'<th class="run"><a href="#{c.anchor}">{escape(run_label(c.run))}'
                   f'<span class="source">{escape(c.source)}</span>'
                   f"{'' if c.run.complete else _INCOMPLETE_MARK}</a></th>"
                   for c in matrix.columns)
    rows = "\n".join(_row(matrix, row) for row in matrix.rows)
    return ('<table class="matrix">\n'
            f'<thead><tr><th>#</th><th class="title">Experiment</th><th>Expected</th><th>Known deviations</th>'
            f"{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n{_totals(matrix)}\n</table>")


def _row(matrix: Matrix, row: Row) -> str:
    number = f"{row.number}{SDM_DERIVED_MARK}" if row.sdm_derived else str(row.number)
    if row.link:
        number = f'<a href="{escape(row.link)}">{number}</a>'
    title = escape(row.title)
    if not row.in_catalogue:
        title += " <i>(not in the catalogue: title from the log)</i>"
    if row.rule:
        title += f'<span class="rule">{escape(row.rule)}</span>'
    expected = EXPECTED_TEXT.get(row.expected_from, "?")
    deviations = ", ".join(f'<a href="#{note.label}" title="{escape(note.note)}">{escape(note.platform_name)}</a>'
                           for note in matrix.deviation_labels(row))
    cells = "".join(_cell(matrix, row, index) for index in range(len(matrix.columns)))
    css = ' class="sdm"' if row.sdm_derived else ""
    return (f'<tr{css} id="row-{row.number}"><td class="num">{number}</td><td class="title">{title}</td>'
            f'<td class="exp">{expected}</td><td class="dev">{deviations}</td>{cells}</tr>')


def _cell(matrix: Matrix, row: Row, column_index: int) -> str:
    cell = matrix.cell(row, column_index)
    label = f"{matrix.columns[column_index].label}, experiment {row.number}: "
    mark = ""
    if cell.footnote:
        n = cell.footnote.number
        mark = f'<sup><a href="#note-{n}">{n}</a></sup>'
    was = f'<span class="was">was {escape(verdict_value_text(cell.before))}</span>' if cell.changed else ""
    css = f"v {cell.verdict.value}" + (" changed" if cell.changed else "")
    return f'<td class="{css}" title="{escape(label + cell.tooltip)}">{escape(cell.text)}{mark}{was}</td>'


def _totals(matrix: Matrix) -> str:
    totals = []
    for index in range(len(matrix.columns)):
        verdicts = [matrix.cell(row, index).verdict for row in matrix.rows]
        counts = [f"{verdicts.count(v)} {VERDICT_TEXT[v]}" for v in Verdict
                  if v != Verdict.NOT_RUN and verdicts.count(v)]
        totals.append(f"<td>{'<br>'.join(counts) or 'nothing reported'}</td>")
    return f'<tfoot><tr><td></td><td class="title">Totals</td><td></td><td></td>{"".join(totals)}</tr></tfoot>'


def _changes(matrix: Matrix) -> str:
    if not matrix.info.baseline:
        return ""
    unmatched = [c.label for c in matrix.columns if c.baseline is None]
    items = [f"<li>{escape(change.column)}, experiment <a href=\"#row-{change.number}\">{change.number}</a>: "
             f"{escape(verdict_value_text(change.before))} \u2192 {escape(verdict_value_text(change.after))}</li>"
             for change in matrix.changes] or ["<li>No verdict changed.</li>"]
    if unmatched:
        items.append(f"<li>No baseline run for: {escape(', '.join(unmatched))}</li>")
    return '<h2>Changes against the baseline</h2>\n<ul class="changes">' + "".join(items) + "</ul>"


def _footnotes(matrix: Matrix) -> str:
    if not matrix.footnotes:
        return ""
    items = []
    for note in matrix.footnotes:
        lines = escape("\n".join(note.lines))
        items.append(f'<li id="note-{note.number}"><span class="verdict {note.verdict.value}">'
                     f"{VERDICT_TEXT[note.verdict] or NOT_RUN_TEXT}</span> in {escape(note.places_text())}"
                     f'<span class="lines">{lines}</span></li>')
    return '<h2>Notes</h2>\n<ol class="notes">\n' + "\n".join(items) + "\n</ol>"


def _deviations(matrix: Matrix) -> str:
    if not matrix.deviation_notes or not matrix.columns:
        return ""
    items = [f'<li id="{note.label}"><b>{note.label}</b> {escape(note.platform_name)}, experiments '
             f"{escape(format_numbers(note.experiments))}: {escape(note.note)} "
             f"<i>({escape(note.reference)})</i></li>" for note in matrix.deviation_notes]
    return ("<h2>Known deviations</h2>\n<p class=\"info\">What the catalogue documents for each platform; "
            "a run on that platform reports a failure there as XFAIL.</p>\n"
            '<ul class="deviations">' + "".join(items) + "</ul>")


def _scenarios(matrix: Matrix) -> str:
    if not matrix.scenario_runs:
        return ""
    runs = "\n".join(_scenario_run(report) for report in matrix.scenario_runs)
    return f'<h2>Random scenarios</h2>\n<p class="info">{escape(SCENARIOS_INTRO)}</p>\n{runs}'


def _scenario_run(report: ScenarioReport) -> str:
    column = report.column
    facts = "".join(f"<dt>{escape(name)}</dt><dd>{_option(value) if name == 'Rerun' else escape(value)}</dd>"
                    for name, value in report.facts())
    deviations = "".join(f"<li><code>{escape(d.id)}</code>{f' ({d.scenarios})' if d.scenarios is not None else ''}: "
                         f"{escape(d.note or 'no note in the log')}</li>" for d in report.deviations())
    if deviations:
        deviations = f"<p>The known deviations that explained scenarios, and in how many:</p><ul>{deviations}</ul>"
    divergences = "".join(_divergence(report, divergence) for divergence in report.divergences)
    return (f'<section class="scenario-run" id="scenarios-{column.anchor}"><h3><a href="#{column.anchor}">'
            f"{escape(column.label)}</a></h3><dl>{facts}</dl>{_test_points(report)}{deviations}{divergences}"
            "</section>")


def _option(option: str) -> str:
    return f"<code>{escape(option)}</code>"


def _test_points(report: ScenarioReport) -> str:
    if not report.batches:
        return ""
    rows = []
    for batch in report.batches:
        counts = "".join(f"<td>{n if n is not None else '?'}</td>" for n in (batch.agree, batch.known, batch.diverge))
        tooltip = "\n".join(batch_details(batch, report.scenarios))
        rows.append(f"<tr><td>{batch.number}</td><td>{escape(batch_range(batch))}</td>{counts}"
                    f'<td class="v {batch.verdict.value}" title="{escape(tooltip)}">{VERDICT_TEXT[batch.verdict]}</td>'
                    "</tr>")
    notes = "".join(f"<li>test point {batch.number}: {escape(note)}</li>"
                    for batch in report.batches for note in batch.notes)
    return ('<table class="points"><thead><tr><th>Test point</th><th>Scenarios</th><th>Agree</th><th>Known</th>'
            f'<th>Diverge</th><th>Verdict</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + (f"<ul>{notes}</ul>" if notes else ""))


def _divergence(report: ScenarioReport, divergence) -> str:
    facts = "".join(f"<dt>{escape(name)}</dt><dd>{_option(value) if name == 'Alone' else escape(value)}</dd>"
                    if name else f"<dt></dt><dd>{escape(value)}</dd>"
                    for name, value in divergence_facts(divergence, report.scenarios))
    code = "".join(f"<p>{escape(heading)}</p><pre class=\"code\">{escape(chr(10).join(lines))}</pre>"
                   for heading, lines in reproducers(divergence))
    return f"<h4>{escape(divergence_title(divergence))}</h4><dl>{facts}</dl>{code}"


def _notation() -> str:
    items = "".join(f"<dt>{escape(term)}</dt><dd>{escape(meaning)}</dd>" for term, meaning in NOTATION)
    return f'<h2>Notation</h2>\n<dl class="notation">{items}</dl>'
