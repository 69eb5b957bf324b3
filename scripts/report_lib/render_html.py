"""The matrix as one self-contained HTML page (inline CSS, no scripts)."""

from html import escape

from .matrix import (SDM_DERIVED_LEGEND, SDM_DERIVED_MARK, VERDICT_MEANING, VERDICT_TEXT, Column, Matrix,
                     Row, run_facts, run_label)
from .model import Verdict

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
.NOT_RUN { background: #fff; }
ol.notes { padding-left: 28px; font-size: 12px; column-width: 620px; column-gap: 32px; }
ol.notes li { margin-bottom: 4px; break-inside: avoid; }
ol.notes .verdict { display: inline-block; padding: 0 4px; font-weight: 600; }
ol.notes .lines { display: block; color: #333; font-family: ui-monospace, Menlo, Consolas, monospace;
                  font-size: 11.5px; white-space: pre-wrap; }
"""


def render_html(matrix: Matrix, title: str) -> str:
    body = [f"<h1>{escape(title)}</h1>", _problems(matrix), _runs(matrix), _legend(), _table(matrix),
            _footnotes(matrix)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")


def _problems(matrix: Matrix) -> str:
    if not matrix.problems:
        return ""
    items = "".join(f"<li><b>{escape(p.log_name)}</b>: {escape(p.message)}</li>" for p in matrix.problems)
    return f'<div class="problems"><b>Logs without results</b><ul>{items}</ul></div>'


def _runs(matrix: Matrix) -> str:
    cards = "\n".join(_run_card(column) for column in matrix.columns)
    return f'<h2>Runs</h2>\n<div class="runs">\n{cards}\n</div>'


# Facts folded away under "more" so that a dozen run cards still leave the matrix in view.
_SECONDARY_FACTS = ("CPU model", "VMX", "Timer", "CPUs", "Self-test", "Log comments")


def _run_card(column: Column) -> str:
    incomplete = not column.run.complete
    facts = run_facts(column.run)
    primary = [_fact(name, value, incomplete) for name, value in facts if name not in _SECONDARY_FACTS]
    secondary = [_fact(name, value, incomplete) for name, value in facts if name in _SECONDARY_FACTS]
    more = f'<details><summary>more</summary><dl>{"".join(secondary)}</dl></details>' if secondary else ""
    css = "run incomplete" if incomplete else "run"
    return (f'<section class="{css}" id="{column.anchor}"><h3>{escape(column.label)}</h3>'
            f'<dl>{"".join(primary)}</dl>{more}</section>')


def _fact(name: str, value: str, incomplete: bool) -> str:
    css = ' class="status-incomplete"' if name == "Status" and incomplete else ""
    return f"<dt>{escape(name)}</dt><dd{css}>{escape(value)}</dd>"


def _legend() -> str:
    items = [f'<span><span class="v {v.value}">{VERDICT_TEXT[v] or "&nbsp;"}</span>'
             f"{escape(VERDICT_MEANING[v])}</span>" for v in Verdict]
    items.append(f"<span><b>{SDM_DERIVED_MARK}</b> {escape(SDM_DERIVED_LEGEND)}</span>")
    items.append("<span>Hover a cell for its diagnostic; the small number links to the note below.</span>")
    return '<h2>Results</h2>\n<div class="legend">' + "".join(items) + "</div>"


def _table(matrix: Matrix) -> str:
    head = "".join(f'<th class="run"><a href="#{c.anchor}">{escape(run_label(c.run))}'
                   f'<span class="source">{escape(c.source)}</span></a></th>' for c in matrix.columns)
    rows = "\n".join(_row(matrix, row) for row in matrix.rows)
    return ('<table class="matrix">\n'
            f'<thead><tr><th>#</th><th class="title">Experiment</th>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n{_totals(matrix)}\n</table>")


def _row(matrix: Matrix, row: Row) -> str:
    number = f"{row.number}{SDM_DERIVED_MARK}" if row.sdm_derived else str(row.number)
    cells = "".join(_cell(matrix, row, index) for index in range(len(matrix.columns)))
    css = ' class="sdm"' if row.sdm_derived else ""
    return f'<tr{css}><td class="num">{number}</td><td class="title">{escape(row.title)}</td>{cells}</tr>'


def _cell(matrix: Matrix, row: Row, column_index: int) -> str:
    cell = matrix.cell(row, column_index)
    label = f"{matrix.columns[column_index].label}, experiment {row.number}: "
    mark = ""
    if cell.footnote:
        n = cell.footnote.number
        mark = f'<sup><a href="#note-{n}">{n}</a></sup>'
    return (f'<td class="v {cell.verdict.value}" title="{escape(label + cell.tooltip)}">'
            f"{VERDICT_TEXT[cell.verdict]}{mark}</td>")


def _totals(matrix: Matrix) -> str:
    totals = []
    for index in range(len(matrix.columns)):
        verdicts = [matrix.cell(row, index).verdict for row in matrix.rows]
        counts = [f"{verdicts.count(v)} {VERDICT_TEXT[v]}" for v in Verdict
                  if v != Verdict.NOT_RUN and verdicts.count(v)]
        totals.append(f"<td>{'<br>'.join(counts) or 'nothing reported'}</td>")
    return f'<tfoot><tr><td></td><td class="title">Totals</td>{"".join(totals)}</tr></tfoot>'


def _footnotes(matrix: Matrix) -> str:
    if not matrix.footnotes:
        return ""
    items = []
    for note in matrix.footnotes:
        lines = escape("\n".join(note.lines))
        items.append(f'<li id="note-{note.number}"><span class="verdict {note.verdict.value}">'
                     f"{VERDICT_TEXT[note.verdict]}</span> in {escape(note.places_text())}"
                     f'<span class="lines">{lines}</span></li>')
    return '<h2>Notes</h2>\n<ol class="notes">\n' + "\n".join(items) + "\n</ol>"
