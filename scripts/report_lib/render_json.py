"""The matrix as JSON: a flat list of records, one per experiment per run."""

import json

from .matrix import Cell, Matrix, remark_lines, short_boot_path
from .model import DIAGNOSTIC_KEYS


def json_records(matrix: Matrix) -> list[dict]:
    records = []
    for index, column in enumerate(matrix.columns):
        run, banner = column.run, column.run.banner
        for row in matrix.rows:
            cell = matrix.cell(row, index)
            result = cell.result
            records.append({
                "run_id": column.run_id,
                "label": column.label,
                "log": run.log_path,
                "platform": banner.platform,
                "build": banner.arch,
                "boot": short_boot_path(banner),
                "run_complete": run.complete,
                "experiment": row.number,
                "title": row.title,
                "sdm_derived": row.sdm_derived,
                # NOT_RUN records keep the list rectangular: every run has every row.
                "verdict": cell.verdict.value,
                "elapsed_us": result.elapsed_us if result else None,
                **{key: getattr(result, key) if result else None for key in DIAGNOSTIC_KEYS},
                "note": _note(cell),
            })
    return records


def _note(cell: Cell) -> str | None:
    """Directive, random-order tally and the kernel's notes; for a cell without a result,
    why the experiment did not run."""
    lines = remark_lines(cell.result) if cell.result else cell.details
    return "; ".join(lines) or None


def render_json(matrix: Matrix) -> str:
    return json.dumps(json_records(matrix), indent=1, ensure_ascii=False) + "\n"
