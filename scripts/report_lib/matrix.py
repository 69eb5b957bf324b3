"""Runs -> the results matrix every output format shows: labelled columns (runs),
experiment rows (from the catalogue), one cell per pair, footnotes shared by cells that
say the same, the known deviations, and what changed against a baseline."""

import datetime
import os
import re
from collections import Counter
from dataclasses import dataclass, field

from .baseline import Baseline, BaselineRun, match_runs
from .catalogue import Catalogue, Deviation
from .model import DIAGNOSTIC_KEYS, EXIT_STATUS_MEANINGS, VMX_UNUSABLE, Banner, LogProblem, Result, Run, Verdict

SDM_DERIVED_MARK = "\u2020"   # dagger
SDM_DERIVED_LEGEND = "SDM-derived (no silicon result yet): weigh a failure accordingly"
EXPECTED_TEXT = {"silicon": "silicon", "sdm": "SDM"}

VERDICT_TEXT = {
    Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.XFAIL: "XFAIL", Verdict.SKIP: "SKIP",
    Verdict.TIMEOUT: "TIMEOUT", Verdict.NOT_RUN: "",
}
NOT_RUN_TEXT = "not run"   # a NOT_RUN the run itself reported ("# SKIP not run: ...")
VERDICT_MEANING = {
    Verdict.PASS: "passed",
    Verdict.FAIL: "unexpected failure",
    Verdict.XFAIL: "known failure (a documented deviation of this platform)",
    Verdict.SKIP: "skipped (needs a feature this platform lacks)",
    Verdict.TIMEOUT: "unexpected failure: a step ran out of time (its bound, or the watchdog)",
    Verdict.NOT_RUN: "not run (not selected, never picked in random order, or not reached by an incomplete run)",
}

# The notation of the titles and diagnostics (experiments/experiment.h, describe.c, engine.c).
NOTATION = (
    ("H, G", "H: the hypervisor (L1, in VMX root operation); G: its guest (L2)"),
    ("(X,V,B,W)", "the controls set before VM entry: X = NMI exiting, V = virtual NMIs, B = blocking by NMI "
                  "(guest interruptibility bit 3; virtual-NMI blocking when V = 1), W = NMI-window exiting"),
    ("H blocked", "H took an NMI and has not executed IRET, so further NMIs are held pending"),
    ("NMI@G, INTR@G", "an NMI / the generator's interrupt taken by G through G's IDT"),
    ("NMI@H, INTR@H", "the same, taken by H"),
    ("EXIT_NMI", "a VM exit caused by an NMI (exit reason 0, NMI exiting = 1)"),
    ("EXIT_NMIW", "an NMI-window VM exit (exit reason 8)"),
    ("EXIT_GP", "a VM exit for #GP (the exception bitmap's bit 13)"),
    ("#GP@G, #GP@H", "a general-protection fault taken by G / by H"),
    ("timeout", "nothing ended the wait within its bound; \"no progress for N ms\": the watchdog had to end it"),
    ("set(X,V,B,W), check(...)", "write the controls / compare what the VMCS holds (check(B=b): the saved "
                                 "blocking-by-NMI bit; check(bit12=b): \"NMI unblocking due to IRET\" of that exit)"),
    ("wait(ctx: sends -> O)", "halt in ctx (H or G) while the other CPU sends the events; O must end the wait"),
    ("iret(ctx -> O), firet(ctx -> O)", "a real IRET / one whose frame names a null CS, so it faults with #GP(0)"),
    ("inject(NMI), inject(INTR v)", "event injection with the next VM entry"),
    ("after VM entry -> O", "what must have happened once G is back after its VMCALL"),
    ("step: k of n, [G]/[H]", "the step that failed, and where it ran"),
    ("at 0x... (after HLT)", "where an event hit: the rip, named when the experiments know it (after HLT, "
                             "after IRET, after VMCALL, the host's VM-exit entry, a handler's first instruction)"),
)


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


@dataclass
class Row:
    number: int
    title: str
    sdm_derived: bool
    expected_from: str | None   # "silicon", "sdm", or None when the catalogue lacks the experiment
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

    def cell(self, row: Row, column_index: int) -> Cell:
        return self.cells[(row.number, column_index)]

    def deviation_labels(self, row: Row) -> list[DeviationNote]:
        return [note for note in self.deviation_notes if row.number in note.experiments]


def verdict_value_text(value: str | None) -> str:
    if value is None:
        return "absent"
    if value == Verdict.NOT_RUN.value:
        return "not run"
    return value


# --- building ----------------------------------------------------------------------------

def build_matrix(runs: list[Run], problems: list[LogProblem], catalogue: Catalogue | None = None,
                 baseline: Baseline | None = None, info: ReportInfo | None = None) -> Matrix:
    info = info or ReportInfo(generation_time(), "scripts/report", "unknown", None, catalogue, baseline, None)
    columns = _columns(runs, catalogue)
    if baseline:
        for column, match in zip(columns, match_runs(baseline, [c.key for c in columns])):
            column.baseline = match
    rows = _rows(runs, catalogue, info.docs_link)
    cells = {(row.number, index): _cell(column, row.number)
             for row in rows for index, column in enumerate(columns)}
    footnotes = _attach_footnotes(rows, columns, cells)
    changes = [Change(column.label, row.number, cells[(row.number, index)].before, cells[(row.number, index)].verdict.value)
               for row in rows for index, column in enumerate(columns) if cells[(row.number, index)].changed]
    return Matrix(columns, rows, cells, footnotes, problems, _deviation_notes(catalogue), changes, info)


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
    differ = [n for n, r in run.results.items() if n in catalogue.experiments and r.title != catalogue.experiments[n].title]
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


def _rows(runs: list[Run], catalogue: Catalogue | None, docs_link: str | None) -> list[Row]:
    """Every experiment of the catalogue, and any a log reports that the catalogue lacks."""
    known = catalogue.experiments if catalogue else {}
    from_logs: dict[int, Result] = {}
    for run in runs:
        for number, result in run.results.items():
            from_logs.setdefault(number, result)
    rows = []
    for number in sorted(set(known) | set(from_logs)):
        entry = known.get(number)
        if entry:
            rows.append(Row(number, entry.title, entry.sdm_derived, "sdm" if entry.sdm_derived else "silicon",
                            entry.rule, entry.anchor, _link(docs_link, entry.anchor),
                            catalogue.deviations_for(number), True))
            continue
        result = from_logs[number]
        sdm = any(r.results[number].sdm_derived_by_log for r in runs if number in r.results)
        rows.append(Row(number, result.title, sdm, None, result.rule, None, None, [], False))
    return rows


def _link(docs_link: str | None, anchor: str) -> str | None:
    return f"{docs_link}#{anchor}" if docs_link else None


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


# --- facts about a run, for the run cards of every format --------------------------------------

def incomplete_reason(run: Run) -> str:
    if run.bail_out:
        where = "" if run.tap_seen else " (before the TAP stream)"
        return f"Bail out!{where} {run.bail_out}"
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
    shown = ", ".join(f"{counts[v]} {VERDICT_TEXT[v] or NOT_RUN_TEXT}" for v in Verdict if counts[v])
    plan = f" of {run.plan} planned" if run.plan is not None else ""
    return f"{len(run.results)} reported{plan}" + (f": {shown}" if shown else "")


def command_line_options(command_line: str | None) -> dict[str, str | bool] | None:
    """"exp=17 verbose" -> {"exp": "17", "verbose": True} (the kernel's own syntax)."""
    if command_line is None:
        return None
    options: dict[str, str | bool] = {}
    for word in command_line.split():
        key, sep, value = word.partition("=")
        options[key] = value if sep else True
    return options


# Banner keys the card shows in its own words (the rest are listed as they came).
_SHOWN_KEYS = {"Boot", "CPU", "Platform", "Timer", "CPUs", "VMX"}


def run_facts(column: Column) -> list[tuple[str, str]]:
    """(name, value) pairs in display order; the same list feeds Markdown, HTML and JUnit."""
    run = column.run
    b = run.banner
    unknown = "not in the log"
    platform = b.platform or unknown
    if b.hypervisor_signature:
        platform += f' (CPUID 0x40000000 "{b.hypervisor_signature}")'
    boot = ", ".join(part for part in (b.firmware, b.multiboot and f"multiboot{b.multiboot}",
                                       b.loader and f'loader "{b.loader}"') if part) or unknown
    facts = [
        ("Status", run_status(run)),
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
    facts += [(key, " | ".join(values)) for key, values in b.facts().items() if key not in _SHOWN_KEYS]
    if run.random_order:
        r = run.random_order
        facts.append(("Order", f"random: seed {r.seed}, {r.runs} runs over {r.experiments} experiments"))
    if run.selftests:
        facts.append(("Self-test", " | ".join(_selftest_text(line) for line in run.selftests)))
    facts += [
        ("Results", verdict_counts_text(run)),
        ("Summary", run.summary.text() if run.summary else "none (incomplete run)"),
        ("Exit", exit_text(run)),
    ]
    if column.baseline is not None:
        facts.append(("Baseline", f"{column.baseline.label} ({column.baseline.run_id})"))
    if len(run.fatal) > 1:
        facts.append(("Crash dump", " | ".join(run.fatal[1:])))
    if run.comments:
        facts.append(("Log comments", _capped(run.comments, MAX_COMMENTS_SHOWN)))
    if column.warnings:
        facts.append(("Warnings", "; ".join(column.warnings)))
    return facts


def _selftest_text(line: str) -> str:
    """A passed self-test's measurements are noise in a card; a failed one's are the point."""
    return line.split("; ", 1)[0] if line.startswith("ok") else line


# A random-order run logs one comment per failed run (thousands, possibly).
MAX_COMMENTS_SHOWN = 6


def _capped(lines: list[str], limit: int) -> str:
    shown = " | ".join(lines[:limit])
    hidden = len(lines) - limit
    return shown + (f" | ... and {hidden} more" if hidden > 0 else "")
