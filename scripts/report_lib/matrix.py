"""Runs -> the results matrix every output format shows: labelled columns (runs),
experiment rows, one cell per pair, and footnotes shared by cells that say the same."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from .model import (DIAGNOSTIC_KEYS, EXIT_STATUS_MEANINGS, VMX_UNUSABLE, Banner, LogProblem, Result, Run,
                    Verdict)

# The catalogue's numbers (experiments/catalogue.c). Every row is shown even when no log
# reports it, so an experiment a crashed run never reached is visibly "not run".
CATALOGUE = range(1, 39)
# Expectations for 31-38 come from the SDM, not from silicon: a failure there may be a
# wrong expectation as much as a platform bug. The kernel also says so in the YAML rule.
SDM_DERIVED = range(31, 39)
SDM_DERIVED_MARK = "\u2020"   # dagger
SDM_DERIVED_LEGEND = "SDM-derived (no silicon result yet): weigh a failure accordingly"

VERDICT_TEXT = {
    Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.XFAIL: "XFAIL", Verdict.SKIP: "SKIP",
    Verdict.TIMEOUT: "TIMEOUT", Verdict.NOT_RUN: "",
}
VERDICT_MEANING = {
    Verdict.PASS: "passed",
    Verdict.FAIL: "unexpected failure",
    Verdict.XFAIL: "known failure (a documented deviation of this platform)",
    Verdict.SKIP: "skipped (needs a feature this platform lacks)",
    Verdict.TIMEOUT: "unexpected failure: a step timed out",
    Verdict.NOT_RUN: "not run (not selected, or not reached by an incomplete run)",
}


@dataclass
class Column:
    run: Run
    label: str    # unique: "Bochs amd64 BIOS", or with the log's name when that repeats
    run_id: str
    anchor: str   # an HTML id
    source: str   # "bochs-amd64.log", or "two-boots.log, boot 2"


@dataclass
class Row:
    number: int
    title: str
    sdm_derived: bool


@dataclass
class Footnote:
    number: int
    verdict: Verdict
    lines: tuple[str, ...]
    places: dict[str, list[int]] = field(default_factory=dict)   # column label -> experiments

    def places_text(self) -> str:
        return "; ".join(f"{label}: {format_numbers(numbers)}" for label, numbers in self.places.items())


@dataclass
class Cell:
    verdict: Verdict
    result: Result | None
    details: tuple[str, ...]   # diagnostic lines, or why the experiment did not run
    footnote: Footnote | None = None

    @property
    def tooltip(self) -> str:
        return "\n".join((VERDICT_TEXT[self.verdict] or "not run", *self.details))


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]
    cells: dict[tuple[int, int], Cell]   # (experiment number, column index)
    footnotes: list[Footnote]
    problems: list[LogProblem]

    def cell(self, row: Row, column_index: int) -> Cell:
        return self.cells[(row.number, column_index)]


# --- building ----------------------------------------------------------------------------

def build_matrix(runs: list[Run], problems: list[LogProblem]) -> Matrix:
    columns = _columns(runs)
    rows = _rows(runs)
    cells = {(row.number, index): _cell(column.run, row.number)
             for row in rows for index, column in enumerate(columns)}
    footnotes = _attach_footnotes(rows, columns, cells)
    return Matrix(columns, rows, cells, footnotes, problems)


def _columns(runs: list[Run]) -> list[Column]:
    boots_per_log: dict[str, int] = {}
    for run in runs:
        boots_per_log[run.log_path] = max(boots_per_log.get(run.log_path, 0), run.index_in_log)
    sources = [_run_source(run, boots_per_log) for run in runs]
    labels = [run_label(run) for run in runs]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    labels = [f"{label} ({source})" if label in repeated else label for label, source in zip(labels, sources)]
    run_ids = [f"{run.log_name}#{run.index_in_log}" for run in runs]
    return [Column(run, label, run_id, f"run-{index + 1}", source)
            for index, (run, label, run_id, source)
            in enumerate(zip(runs, make_unique(labels), make_unique(run_ids), sources))]


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


def run_label(run: Run) -> str:
    """"Bochs amd64 BIOS": platform, build and boot path, as far as the banner tells."""
    banner = run.banner
    if banner.is_empty():
        return f"unknown platform ({run.log_name})"
    parts = [banner.platform or "unknown platform", banner.arch, short_boot_path(banner)]
    return " ".join(part for part in parts if part)


def short_boot_path(banner: Banner) -> str | None:
    if banner.firmware in ("BIOS", "UEFI"):
        return banner.firmware
    # multiboot1 cannot tell BIOS from UEFI; the kernel says so at length.
    return f"multiboot{banner.multiboot}" if banner.multiboot else banner.firmware


def _rows(runs: list[Run]) -> list[Row]:
    titles: dict[int, str] = {}
    sdm_by_rule: set[int] = set()
    for run in runs:
        for number, result in run.results.items():
            titles.setdefault(number, result.title)
            if result.sdm_derived_by_rule:
                sdm_by_rule.add(number)
    numbers = sorted(set(CATALOGUE) | set(titles))
    return [Row(number, titles.get(number, "(title unknown: no log reports this experiment)"),
                number in SDM_DERIVED or number in sdm_by_rule)
            for number in numbers]


def _cell(run: Run, number: int) -> Cell:
    result = run.results.get(number)
    if result is None:
        return Cell(Verdict.NOT_RUN, None, (not_run_reason(run, number),))
    return Cell(result.verdict, result, diagnostic_lines(result))


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
    if result.verdict == Verdict.SKIP:
        lines.append(f"skipped: {result.directive or 'no reason given'}")
    elif result.directive:
        lines.append(f"TODO: {result.directive}")
    if result.random_tally:
        lines.append(result.random_tally)
    return lines


def _attach_footnotes(rows: list[Row], columns: list[Column], cells: dict) -> list[Footnote]:
    """Numbers footnotes row by row, the order a reader scans the table; cells with the
    same verdict and the same text share one (28 identical SKIP reasons make one note)."""
    by_text: dict[tuple, Footnote] = {}
    for row in rows:
        for index, column in enumerate(columns):
            cell = cells[(row.number, index)]
            if not _needs_footnote(cell):
                continue
            key = (cell.verdict, cell.details)
            footnote = by_text.get(key)
            if footnote is None:
                footnote = by_text[key] = Footnote(len(by_text) + 1, cell.verdict, cell.details)
            footnote.places.setdefault(column.label, []).append(row.number)
            cell.footnote = footnote
    return list(by_text.values())


def _needs_footnote(cell: Cell) -> bool:
    # Not-run cells stay blank (the run's header says why); a pass gets one only when
    # the kernel added a note worth reading (an info line, a deviation that vanished),
    # not for the tally every pass has in random order.
    if cell.verdict == Verdict.NOT_RUN:
        return False
    return cell.verdict != Verdict.PASS or bool(cell.result.notes)


def format_numbers(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


# --- facts about a run, for the per-run header of every format --------------------------------

def incomplete_reason(run: Run) -> str:
    if run.bail_out:
        return f"Bail out! {run.bail_out}"
    if run.fatal:
        return f"FATAL: {run.fatal[0]}"
    if not run.tap_seen:
        return "the log ends before the TAP stream"
    last = run.last_reported_number()
    where = f"after experiment {last}" if last is not None else "before the first result"
    return f'the log ends {where} (last line: "{run.last_line[:120]}")'


def run_status(run: Run) -> str:
    if run.complete:
        return "complete"
    return f"incomplete run: {incomplete_reason(run)}"


def exit_text(run: Run) -> str:
    if run.exit_status is None:
        return "none (the log has no EXIT line)"
    meaning = EXIT_STATUS_MEANINGS.get(run.exit_status, "unknown status")
    return f"STATUS={run.exit_status} ({meaning})"


def log_date(run: Run) -> str:
    if run.log_mtime is None:
        return "unknown"
    when = datetime.datetime.fromtimestamp(run.log_mtime, tz=datetime.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def vmx_text(banner: Banner) -> str:
    if banner.vmx_available is None:
        return "not reported"
    if not banner.vmx_available:
        return next(line for line in banner.vmx if line.startswith(VMX_UNUSABLE))
    features = [line.split(": ", 1)[1] for line in banner.vmx
                if line.startswith(("pin-based", "proc-based")) and ": " in line]
    return "; ".join(["available", *features])


def verdict_counts_text(run: Run) -> str:
    counts = Counter(result.verdict for result in run.results.values())
    shown = ", ".join(f"{counts[v]} {VERDICT_TEXT[v]}" for v in Verdict if counts[v])
    plan = f" of {run.plan} planned" if run.plan is not None else ""
    return f"{len(run.results)} reported{plan}" + (f": {shown}" if shown else "")


def run_facts(run: Run) -> list[tuple[str, str]]:
    """(name, value) pairs in display order; the same list feeds Markdown and HTML."""
    b = run.banner
    unknown = "not in the log"
    platform = b.platform or unknown
    if b.hypervisor_signature:
        platform += f' (CPUID 0x40000000 "{b.hypervisor_signature}")'
    boot = ", ".join(part for part in (b.firmware, b.multiboot and f"multiboot{b.multiboot}",
                                       b.loader and f'loader "{b.loader}"') if part) or unknown
    facts = [
        ("Log", f"{run.log_name} (modified {log_date(run)})"),
        ("Platform", platform),
        ("CPU", b.cpu_brand or unknown),
        ("CPU model", f"{b.cpu_vendor} {b.cpu_signature}" if b.cpu_vendor else unknown),
        ("Build", f"{b.arch or unknown}, nmi-lab {b.version or '?'}"),
        ("Git", b.git_rev or unknown),
        ("Boot", boot),
        ("Command line", f'"{b.command_line}"' if b.command_line is not None else unknown),
        ("VMX", vmx_text(b)),
        ("Timer", b.timer or unknown),
        ("CPUs", b.cpus or unknown),
    ]
    if run.random_order:
        r = run.random_order
        facts.append(("Order", f"random: seed {r.seed}, {r.runs} runs over {r.experiments} experiments"))
    if run.selftests:
        facts.append(("Self-test", " | ".join(_selftest_text(line) for line in run.selftests)))
    facts += [
        ("Results", verdict_counts_text(run)),
        ("Summary", run.summary.text() if run.summary else "none (incomplete run)"),
        ("Exit", exit_text(run)),
        ("Status", run_status(run)),
    ]
    if len(run.fatal) > 1:
        facts.append(("Crash dump", " | ".join(run.fatal[1:])))
    if run.comments:
        facts.append(("Log comments", _capped(run.comments, MAX_COMMENTS_SHOWN)))
    if run.warnings:
        facts.append(("Warnings", "; ".join(run.warnings)))
    return facts


def _selftest_text(line: str) -> str:
    """A passed self-test's measurements are noise in a header; a failed one's are the point."""
    return line.split("; ", 1)[0] if line.startswith("ok") else line


# A random-order run logs one comment per failed run (thousands, possibly).
MAX_COMMENTS_SHOWN = 6


def _capped(lines: list[str], limit: int) -> str:
    shown = " | ".join(lines[:limit])
    hidden = len(lines) - limit
    return shown + (f" | ... and {hidden} more" if hidden > 0 else "")
