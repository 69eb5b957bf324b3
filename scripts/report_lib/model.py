"""What a serial log says about one run of the kernel, as plain data."""

import enum
from dataclasses import dataclass, field

from .grammar import DID_NOT_SHOW_NOTE


class Verdict(str, enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    XFAIL = "XFAIL"      # "not ok ... # TODO known <platform> deviation" (or "reported for ..."): a known failure
    SKIP = "SKIP"
    TIMEOUT = "TIMEOUT"  # a "not ok" whose YAML says "observed: timeout ..." or "no progress for N ms"
    NOT_RUN = "NOT_RUN"  # not reported, or reported as "# SKIP not run: ..." (random order never picked it)


# The kernel's "EXIT: STATUS=N" values (lib/platform.h).
EXIT_STATUS_MEANINGS = {0: "pass", 1: "failures", 77: "skip"}


# "VMX: not available (...)" and "VMX: cannot enter VMX root operation: ..." (boot/main.c).
VMX_UNUSABLE = ("not available", "cannot")


@dataclass
class Banner:
    """The facts the kernel prints before the TAP stream; None where a line was missing."""
    version: str | None = None
    git_rev: str | None = None
    arch: str | None = None
    firmware: str | None = None
    multiboot: str | None = None
    loader: str | None = None
    command_line: str | None = None
    cpu_vendor: str | None = None
    cpu_signature: str | None = None   # "family 0x6 model 0x55 stepping 4"
    cpu_brand: str | None = None
    platform: str | None = None
    hypervisor_signature: str | None = None
    timer: str | None = None
    cpus: str | None = None
    vmx: list[str] = field(default_factory=list)
    # Every "Key: value" line of the banner, known or not, in order ("Microcode", "BSP", ...).
    lines: list[tuple[str, str]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return all(value in (None, []) for value in vars(self).values())

    @property
    def vmx_available(self) -> bool | None:
        if not self.vmx:
            return None
        return not any(line.startswith(VMX_UNUSABLE) for line in self.vmx)

    def facts(self) -> dict[str, list[str]]:
        """Key -> its values (a key like VMX repeats), keys in the order they came."""
        facts: dict[str, list[str]] = {}
        for key, value in self.lines:
            facts.setdefault(key, []).append(value)
        return facts


# The YAML block's fields (experiments/engine.c print_failure); "deviation" is new (it says
# how a failure relates to the platform's known deviation).
DIAGNOSTIC_KEYS = ("step", "expected", "observed", "rule", "deviation")


@dataclass
class Result:
    """One experiment's line in the TAP stream, with its YAML diagnostic and notes."""
    number: int
    title: str
    verdict: Verdict
    tap_ok: bool = True                 # "ok" rather than "not ok"
    directive_kind: str | None = None   # "TODO" or "SKIP" (the TAP directive), else None
    elapsed_us: int | None = None       # per run; the mean in random order
    directive: str | None = None        # text after "# TODO" or "# SKIP"
    random_tally: str | None = None     # "2000 runs: 1990 passed, 10 failed"
    step: str | None = None
    expected: str | None = None
    observed: str | None = None
    rule: str | None = None
    deviation: str | None = None
    sdm_derived_flag: bool = False      # the YAML said "sdm_derived: true"
    escaped: bool = False               # the line used TAP 13 escapes (\# and \\): the new format
    notes: list[str] = field(default_factory=list)
    diagnostic_closed: bool = True      # False while (or if) the YAML block lacks its "..."

    @property
    def sdm_derived_by_log(self) -> bool:
        return self.sdm_derived_flag or bool(self.rule and "SDM-derived" in self.rule)

    did_not_show_listed: bool = False   # named on the run's "did not show (fixed?)" line

    @property
    def deviation_did_not_show(self) -> bool:
        return self.did_not_show_listed or any(DID_NOT_SHOW_NOTE.match(note) for note in self.notes)


@dataclass
class Summary:
    tests: int
    unexpected_failures: int
    known_failures: int
    skipped: int
    did_not_show: int | None = None   # new format only: "D known deviations did not show"
    strict: bool = False              # "(strict: known deviations count as failures)"

    def text(self) -> str:
        text = (f"{self.tests} tests, {self.unexpected_failures} unexpected failures, "
                f"{self.known_failures} known failures, {self.skipped} skipped")
        if self.did_not_show is not None:
            text += f", {self.did_not_show} known deviations did not show"
        return text + (" (strict: known deviations count as failures)" if self.strict else "")


@dataclass
class RandomOrder:
    seed: int
    runs: int
    experiments: int


@dataclass
class ScenarioDivergence:
    """A scenario that disagreed with the model and with the platform's known deviations,
    as its "# scenario N diverges" comment says; the first of a batch also has the YAML
    block (its step in words) and the reproducers, the scenario as C for the catalogue."""
    scenario: int | None
    step: str | None                    # "1" from the comment; the YAML's "1 of 5, [H] wait(...)"
    expected: str | None
    observed: str | None
    rerun: str | None = None            # "scenarios=150-150 seed=3": the option that runs it alone
    remark: str | None = None           # "the known Bochs 2.7 deviations do not explain it: ..."
    test_point: int | None = None       # its batch, once the batch's line came
    drawn_heading: str | None = None    # "scenario 150 (seed 3), as drawn; each EXPECT is ..."
    drawn: list[str] = field(default_factory=list)      # its lines of C
    shortest_heading: str | None = None  # "the shortest scenario found that still diverges (...) ..."
    shortest: list[str] = field(default_factory=list)


@dataclass
class ScenarioBatch:
    """One test point of a scenario run: a batch of scenarios (100), not an experiment.
    The counts are None if the line did not read as a batch (a damaged log)."""
    number: int
    verdict: Verdict                    # PASS, XFAIL (all disagreements known), FAIL, TIMEOUT
    tap_ok: bool
    directive_kind: str | None
    directive: str | None
    title: str
    first: int | None = None
    last: int | None = None
    seed: int | None = None
    agree: int | None = None
    known: int | None = None
    diverge: int | None = None
    deviation_ids: list[str] = field(default_factory=list)   # named by its TODO directive
    notes: list[str] = field(default_factory=list)           # "break=150: ...", unknown YAML keys
    diagnostic_closed: bool = True

    @property
    def size(self) -> int | None:
        return self.last - self.first + 1 if self.first is not None and self.last is not None else None


@dataclass
class ScenarioTotals:
    """The run's "# scenarios: N run (seed S): ..." line."""
    run: int
    seed: int
    agree: int
    known: int
    diverge: int
    deviations: dict[str, int] = field(default_factory=dict)   # id -> scenarios it explained


@dataclass
class ScenarioRun:
    """What a random-scenario run (scenarios=, seed=) reported instead of experiments."""
    first: int | None = None            # the range and seed of the plan's comment
    last: int | None = None
    seed: int | None = None
    per_test_point: int | None = None
    platform_name: str | None = None    # "Bochs 2.7", as the batches name its known deviations
    skipped: str | None = None          # "1..0 # SKIP random scenarios <reason>": the reason
    batches: dict[int, ScenarioBatch] = field(default_factory=dict)
    divergences: list[ScenarioDivergence] = field(default_factory=list)
    totals: ScenarioTotals | None = None
    not_run: str | None = None          # "2 scenarios not run: the run bailed out"

    @property
    def planned(self) -> int | None:
        return self.last - self.first + 1 if self.first is not None and self.last is not None else None

    def divergences_of(self, test_point: int) -> list[ScenarioDivergence]:
        return [d for d in self.divergences if d.test_point == test_point]


@dataclass
class Run:
    """One boot of the kernel as seen in one log (a log may hold several boots)."""
    log_path: str
    log_name: str
    log_mtime: float | None
    index_in_log: int
    banner: Banner = field(default_factory=Banner)
    selftests: list[str] = field(default_factory=list)
    tap_seen: bool = False
    plan: int | None = None
    random_order: RandomOrder | None = None
    results: dict[int, Result] = field(default_factory=dict)
    scenarios: ScenarioRun | None = None   # a random-scenario run: its test points are batches, not results
    comments: list[str] = field(default_factory=list)
    deviation_notes: dict[str, str] = field(default_factory=dict)  # "# deviation <id> ...": id -> note
    catalogue: str | None = None        # "Catalogue: vmx|svm"; None: an older kernel's (VMX)
    summary: Summary | None = None
    exit_status: int | None = None
    bail_out: str | None = None
    fatal: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_line: str = ""

    @property
    def complete(self) -> bool:
        # The kernel prints SUMMARY only from finish_run(); a bail-out or a FATAL trap
        # still prints EXIT, so EXIT alone does not make a run complete.
        return self.summary is not None and self.exit_status is not None

    @property
    def new_format(self) -> bool:
        """Whether the log is known to use the TAP-escaped, YAML-quoted format."""
        return ((self.summary is not None and self.summary.did_not_show is not None)
                or any(r.escaped for r in self.results.values()))

    def has_content(self) -> bool:
        return (self.tap_seen or not self.banner.is_empty() or bool(self.selftests)
                or self.bail_out is not None or bool(self.fatal) or self.exit_status is not None
                or self.summary is not None)

    def last_reported_number(self) -> int | None:
        return next(reversed(self.results), None)

    def test_points(self) -> list[Result | ScenarioBatch]:
        """What the TAP stream reported, as the kernel counts it: the results, or a scenario
        run's batches (both have tap_ok and directive_kind)."""
        return list(self.scenarios.batches.values() if self.scenarios else self.results.values())


@dataclass
class LogProblem:
    """A log that yielded no run at all (missing, unreadable, refused, empty, garbage)."""
    log_path: str
    log_name: str
    message: str
