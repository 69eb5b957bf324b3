"""Runs -> the results matrix every output format shows: labelled columns (runs),
experiment rows (from the catalogue), one cell per pair, footnotes shared by cells that
say the same, the known deviations, and what changed against a baseline. Each run's card
is run_card.py's."""

import datetime
import os
import re
from collections import Counter
from dataclasses import dataclass, field

from .baseline import Baseline, BaselineRun, match_runs
from .catalogue import Catalogue, Deviation
from .legend import NOT_RUN_TEXT, VERDICT_TEXT, verdict_value_text
from .model import DIAGNOSTIC_KEYS, LogProblem, Result, Run, Verdict
from .run_card import incomplete_reason, run_facts, run_label, short_boot_path
from .scenarios import ScenarioReport, scenario_reports


@dataclass
class Column:
    run: Run
    label: str    # unique: "Bochs amd64 BIOS", or with the log's name when that repeats
    run_id: str
    anchor: str   # an HTML id
    source: str   # "bochs-amd64.log", or "two-boots.log, boot 2"
    key: tuple    # (platform, build, boot path), to find the run's baseline
    warnings: list[str] = field(default_factory=list)   # the run's, and the report's about it
    baseline: BaselineRun | None = None

    def facts(self) -> list[tuple[str, str]]:
        """The run's card, with what the report adds (its warnings, the baseline run)."""
        return run_facts(self.run, self.warnings, self.baseline)


@dataclass
class Row:
    number: int
    title: str
    sdm_derived: bool
    expected_from: str | None   # "silicon", "sdm", "apm", or None when the catalogue lacks the experiment
    rule: str | None
    anchor: str | None
    link: str | None            # docs/experiments.md#experiment-N, relative to the report
    deviations: list[Deviation]
    in_catalogue: bool


@dataclass
class Footnote:
    number: int
    verdict: Verdict
    lines: tuple[str, ...]
    places: dict[str, list[int]] = field(default_factory=dict)   # column label -> experiments
    variants: list[tuple[str, ...]] = field(default_factory=list)

    def places_text(self) -> str:
        return "; ".join(f"{label}: {format_numbers(numbers)}" for label, numbers in self.places.items())


@dataclass
class DeviationNote:
    """Known deviations of one platform that say the same (one note, many experiments)."""
    label: str   # "D1"
    platform_name: str
    platform_banner: str
    note: str
    reference: str
    experiments: list[int] = field(default_factory=list)


@dataclass
class Cell:
    verdict: Verdict
    result: Result | None
    details: tuple[str, ...]   # diagnostic lines, or why the experiment did not run
    footnote: Footnote | None = None
    before: str | None = None  # the baseline's verdict value, when there is a baseline run
    changed: bool = False

    @property
    def text(self) -> str:
        if self.verdict == Verdict.NOT_RUN and self.result is not None:
            return NOT_RUN_TEXT
        return VERDICT_TEXT[self.verdict]

    @property
    def tooltip(self) -> str:
        lines = [self.text or NOT_RUN_TEXT, *self.details]
        if self.changed:
            lines.append(f"changed: {verdict_value_text(self.before)} in the baseline")
        return "\n".join(lines)


@dataclass
class Change:
    column: str
    number: int
    before: str | None
    after: str


@dataclass
class ReportInfo:
    generated: str            # ISO 8601, UTC
    tool: str
    version: str
    git: str | None
    catalogue: Catalogue | None
    baseline: Baseline | None
    docs_link: str | None     # docs/experiments.md as the report links it

    def text(self) -> str:
        parts = [f"Generated {self.generated.replace('T', ' ').replace('Z', ' UTC')} by {self.tool} "
                 f"(nmi-lab {self.version}{', git ' + self.git if self.git else ''})"]
        if self.catalogue:
            parts.append(f"titles, rules and deviations from {os.path.basename(self.catalogue.path)} "
                         f"(schema {self.catalogue.schema_version}, nmi-lab {self.catalogue.project_version})")
        else:
            parts.append("no catalogue: titles from the logs")
        if self.baseline:
            when = f", generated {self.baseline.generated}" if self.baseline.generated else ""
            parts.append(f"compared with the baseline {self.baseline.path}{when}")
        return "; ".join(parts) + "."


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]
    cells: dict[tuple[int, int], Cell]   # (experiment number, column index)
    footnotes: list[Footnote]
    problems: list[LogProblem]
    deviation_notes: list[DeviationNote]
    changes: list[Change]
    info: ReportInfo
    # Random-scenario runs: their test points are batches, not experiments, so they have
    # a section of their own instead of a column.
    scenario_runs: list[ScenarioReport] = field(default_factory=list)

    def run_columns(self) -> list[Column]:
        """Every run, for the run cards: the matrix's columns, then the scenario runs."""
        return [*self.columns, *(report.column for report in self.scenario_runs)]

    def cell(self, row: Row, column_index: int) -> Cell:
        return self.cells[(row.number, column_index)]

    def deviation_labels(self, row: Row) -> list[DeviationNote]:
        return [note for note in self.deviation_notes if row.number in note.experiments]


# --- building ----------------------------------------------------------------------------

def build_matrix(runs: list[Run], problems: list[LogProblem], catalogue: Catalogue | None = None,
                 baseline: Baseline | None = None, info: ReportInfo | None = None) -> Matrix:
    info = info or ReportInfo(generation_time(), "scripts/report", "unknown", None, catalogue, baseline, None)
    every_column = _columns(runs, catalogue)   # labelled together: no two runs share a label
    columns = [column for column in every_column if column.run.scenarios is None]
    scenario_columns = [column for column in every_column if column.run.scenarios is not None]
    if baseline:
        for column, match in zip(columns, match_runs(baseline, [c.key for c in columns])):
            column.baseline = match
    rows = _rows([column.run for column in columns], catalogue, info.docs_link)
    cells = {(row.number, index): _cell(column, row.number)
             for row in rows for index, column in enumerate(columns)}
    footnotes = _attach_footnotes(rows, columns, cells)
    changes = [Change(column.label, row.number, cells[(row.number, index)].before, cells[(row.number, index)].verdict.value)
               for row in rows for index, column in enumerate(columns) if cells[(row.number, index)].changed]
    return Matrix(columns, rows, cells, footnotes, problems, _deviation_notes(catalogue), changes, info,
                  scenario_reports(scenario_columns))


def generation_time() -> str:
    """Now, or SOURCE_DATE_EPOCH (reproducible reports, and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc) if epoch and epoch.isdigit()
            else datetime.datetime.now(tz=datetime.timezone.utc))
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _columns(runs: list[Run], catalogue: Catalogue | None) -> list[Column]:
    boots_per_log: dict[str, int] = {}
    for run in runs:
        boots_per_log[run.log_path] = max(boots_per_log.get(run.log_path, 0), run.index_in_log)
    sources = [_run_source(run, boots_per_log) for run in runs]
    labels = [run_label(run) for run in runs]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    labels = [f"{label} ({source})" if label in repeated else label for label, source in zip(labels, sources)]
    run_ids = [f"{run.log_name}#{run.index_in_log}" for run in runs]
    return [Column(run, label, run_id, f"run-{index + 1}", source, run_key(run),
                   [*run.warnings, *_catalogue_warnings(run, catalogue)])
            for index, (run, label, run_id, source)
            in enumerate(zip(runs, make_unique(labels), make_unique(run_ids), sources))]


def run_key(run: Run) -> tuple:
    return (run.banner.platform, run.banner.arch, short_boot_path(run.banner))


def _catalogue_warnings(run: Run, catalogue: Catalogue | None) -> list[str]:
    """Titles that differ from the catalogue's, experiments it lacks: a log of another
    kernel version, whose verdicts may not mean what this catalogue says."""
    if not catalogue:
        return []
    # A pass prints no title (each byte counts on the serial line): only titles given count.
    differ = [n for n, r in run.results.items()
              if n in catalogue.experiments and r.title and r.title != catalogue.experiments[n].title]
    unknown = [n for n in run.results if n not in catalogue.experiments]
    warnings = []
    if differ:
        warnings.append(f"the titles of experiments {format_numbers(differ)} differ from the catalogue's "
                        "(a log of another kernel version?); the matrix shows the catalogue's")
    if unknown:
        warnings.append(f"experiments {format_numbers(unknown)} are not in the catalogue (a newer kernel?)")
    return warnings


def _run_source(run: Run, boots_per_log: dict[str, int]) -> str:
    if boots_per_log[run.log_path] > 1:
        return f"{run.log_name}, boot {run.index_in_log}"
    return run.log_name


def make_unique(names: list[str]) -> list[str]:
    """Appends " #2", " #3" to repeats (the same log given twice still gives two columns)."""
    seen: Counter = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return unique


def _rows(runs: list[Run], catalogue: Catalogue | None, docs_link: str | None) -> list[Row]:
    """Every experiment of the catalogues the runs used ("Catalogue: vmx|svm"; an older
    kernel's log, without the line, is VMX's), and any a log reports that they lack."""
    used = {run.catalogue or "vmx" for run in runs} or {"vmx"}
    known = {n: e for n, e in catalogue.experiments.items() if e.catalogue in used} if catalogue else {}
    from_logs: dict[int, Result] = {}
    for run in runs:
        for number, result in run.results.items():
            from_logs.setdefault(number, result)
    return [_catalogue_row(catalogue, number, docs_link) if number in known else _log_row(runs, from_logs[number])
            for number in sorted(set(known) | set(from_logs))]


def _catalogue_row(catalogue: Catalogue, number: int, docs_link: str | None) -> Row:
    entry = catalogue.experiments[number]
    link = f"{docs_link}#{entry.anchor}" if docs_link else None
    return Row(number, entry.title, entry.manual_derived, entry.expected_from, entry.rule,
               entry.anchor, link, catalogue.deviations_for(number), True)


def _log_row(runs: list[Run], result: Result) -> Row:
    """An experiment the catalogue lacks, as the logs tell it."""
    number = result.number
    sdm = any(r.results[number].sdm_derived_by_log for r in runs if number in r.results)
    return Row(number, result.title, sdm, None, result.rule, None, None, [], False)


def _cell(column: Column, number: int) -> Cell:
    run = column.run
    result = run.results.get(number)
    if result is None:
        cell = Cell(Verdict.NOT_RUN, None, (not_run_reason(run, number),))
    else:
        cell = Cell(result.verdict, result, diagnostic_lines(result))
    if column.baseline is not None:
        cell.before = column.baseline.verdicts.get(number)
        cell.changed = (cell.before or Verdict.NOT_RUN.value) != cell.verdict.value
    return cell


def not_run_reason(run: Run, number: int) -> str:
    if run.complete:
        return "not selected in this run"
    last = run.last_reported_number()
    # Sequential runs go through the selection in catalogue order, so a gap before the
    # last reported experiment was not selected; in random order all results come at the end.
    if last is not None and run.random_order is None and number < last:
        return "not selected in this run"
    return f"not reached: {incomplete_reason(run)}"


def diagnostic_lines(result: Result) -> tuple[str, ...]:
    """Directive first, then the YAML fields, then the kernel's notes."""
    fields = [f"{key}: {getattr(result, key)}" for key in DIAGNOSTIC_KEYS if getattr(result, key) is not None]
    return (*_directive_lines(result), *fields, *result.notes)


def remark_lines(result: Result) -> tuple[str, ...]:
    """What a result says besides its YAML fields."""
    return (*_directive_lines(result), *result.notes)


def _directive_lines(result: Result) -> list[str]:
    lines = []
    if result.directive_kind == "SKIP":
        lines.append(f"skipped: {result.directive or 'no reason given'}")
    elif result.directive:
        lines.append(f"TODO: {result.directive}")
    if result.random_tally:
        lines.append(result.random_tally)
    return lines


# Addresses in diagnostics differ between the amd64 and the i386 build ("at 0x207822"),
# so notes that differ only there are one note.
_ADDRESS = re.compile(r"(?<=\bat )0x[0-9a-f]+|(?<=\brip )0x[0-9a-f]+")


def _skeleton(lines: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_ADDRESS.sub("0x?", line) for line in lines)


def merge_variants(variants: list[tuple[str, ...]]) -> tuple[str, ...]:
    """One text for notes that differ only in addresses: each address slot lists its
    distinct values, "at 0x207822 / 0x2078a2 (after VMCALL)"."""
    if len(variants) == 1:
        return variants[0]
    merged = []
    for lines in zip(*variants):
        pieces = [_ADDRESS.split(line) for line in lines]
        addresses = [_ADDRESS.findall(line) for line in lines]
        text = pieces[0][0]
        for slot in range(len(addresses[0])):
            values = list(dict.fromkeys(a[slot] for a in addresses))
            text += " / ".join(values) + pieces[0][slot + 1]
        merged.append(text)
    return tuple(merged)


def _attach_footnotes(rows: list[Row], columns: list[Column], cells: dict) -> list[Footnote]:
    """Numbers footnotes row by row, the order a reader scans the table; cells with the
    same verdict and the same text (addresses aside) share one."""
    by_text: dict[tuple, Footnote] = {}
    for row in rows:
        for index, column in enumerate(columns):
            cell = cells[(row.number, index)]
            if not _needs_footnote(cell):
                continue
            key = (cell.verdict, _skeleton(cell.details))
            footnote = by_text.get(key)
            if footnote is None:
                footnote = by_text[key] = Footnote(len(by_text) + 1, cell.verdict, cell.details)
            if cell.details not in footnote.variants:
                footnote.variants.append(cell.details)
            footnote.places.setdefault(column.label, []).append(row.number)
            cell.footnote = footnote
    for footnote in by_text.values():
        footnote.lines = merge_variants(footnote.variants)
    return list(by_text.values())


def _needs_footnote(cell: Cell) -> bool:
    # Unreported cells stay blank (the run's card says why); a pass gets one only when
    # the kernel added a note worth reading (a measurement, a deviation that vanished),
    # not for the tally every pass has in random order.
    if cell.result is None:
        return False
    return cell.verdict != Verdict.PASS or bool(cell.result.notes)


def _deviation_notes(catalogue: Catalogue | None) -> list[DeviationNote]:
    """The catalogue's deviations, one note per platform and text, in catalogue order."""
    if not catalogue:
        return []
    notes: dict[tuple, DeviationNote] = {}
    for deviation in sorted(catalogue.deviations, key=lambda d: (d.platform_name, d.experiment)):
        key = (deviation.platform_name, deviation.note, deviation.reference)
        note = notes.get(key)
        if note is None:
            note = notes[key] = DeviationNote(f"D{len(notes) + 1}", deviation.platform_name,
                                              deviation.platform_banner, deviation.note, deviation.reference)
        note.experiments.append(deviation.experiment)
    return list(notes.values())


def format_numbers(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
