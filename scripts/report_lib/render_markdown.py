"""The matrix as GitHub-flavoured Markdown."""

from .matrix import (SDM_DERIVED_LEGEND, SDM_DERIVED_MARK, VERDICT_MEANING, VERDICT_TEXT, Matrix, Row,
                     run_facts)
from .model import Verdict


def render_markdown(matrix: Matrix, title: str) -> str:
    parts = [f"# {title}", ""]
    parts += _problems(matrix)
    parts += _runs(matrix)
    parts += _legend()
    parts += _table(matrix)
    parts += _footnotes(matrix)
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


def _runs(matrix: Matrix) -> list[str]:
    lines = ["## Runs", ""]
    for column in matrix.columns:
        lines += [f"### {_escape(column.label)}", ""]
        lines += [f"- {name}: {_escape(value)}" for name, value in run_facts(column.run)]
        lines.append("")
    return lines


def _legend() -> list[str]:
    meanings = [f"**{VERDICT_TEXT[v]}** {VERDICT_MEANING[v]}" for v in Verdict if v != Verdict.NOT_RUN]
    meanings.append(f"blank: {VERDICT_MEANING[Verdict.NOT_RUN]}")
    return ["## Results", "",
            "Legend: " + "; ".join(meanings) + f". {SDM_DERIVED_MARK} {SDM_DERIVED_LEGEND}. "
            "[n]: see note n below.", ""]


def _table(matrix: Matrix) -> list[str]:
    header = ["#", "Experiment", *(_escape(c.label) for c in matrix.columns)]
    lines = [_table_line(header), _table_line(["--:", "---", *(":-:" for _ in matrix.columns)])]
    for row in matrix.rows:
        lines.append(_table_line([_row_number(row), _escape(row.title),
                                  *(_cell_text(matrix, row, i) for i in range(len(matrix.columns)))]))
    return lines + [""]


def _table_line(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _row_number(row: Row) -> str:
    return f"{row.number}{SDM_DERIVED_MARK}" if row.sdm_derived else str(row.number)


def _cell_text(matrix: Matrix, row: Row, column_index: int) -> str:
    cell = matrix.cell(row, column_index)
    text = VERDICT_TEXT[cell.verdict]
    if cell.verdict not in (Verdict.PASS, Verdict.NOT_RUN):
        text = f"**{text}**"
    return f"{text} [{cell.footnote.number}]" if cell.footnote else text


def _footnotes(matrix: Matrix) -> list[str]:
    if not matrix.footnotes:
        return []
    lines = ["## Notes", ""]
    for note in matrix.footnotes:
        lines.append(f"{note.number}. **{VERDICT_TEXT[note.verdict]}** in {_escape(note.places_text())}")
        lines += [f"    - {_escape(line)}" for line in note.lines]   # 4 spaces nest under "10."
    return lines + [""]
