"""The serial log's line grammar: every pattern for a line the kernel prints, in one place.

Both readers of a log use it: parse.py, which turns the lines into Runs for the report, and
tap.py, which keeps the TAP stream for scripts/log2tap. So do the scripts that only want
the result lines (scripts/soak, scripts/bench, tests/emulator_checks.py, the conformance
checks): read_result() splits a result line the way the report reads it. A change of the
kernel's format is made here once, and every reader follows.

The patterns apply to clean lines (parse.clean_lines: no escape sequences, no line ends,
no trailing blanks). Old logs must still give a report, so several formats are read: the
first kernels' unescaped titles, where the timing ends the description; TAP 13 escapes
and double-quoted YAML values; and today's, which says each fact once (issue 17: the
section "each fact once").
"""

import json
import re
from dataclasses import dataclass

# --- the banner ---------------------------------------------------------------------------

BANNER = re.compile(r"nmi-lab (?P<version>\S+) \(git (?P<rev>[^)]*)\), (?P<arch>\S+) build")
BOOT = re.compile(r'^Boot: (?P<firmware>.*?), multiboot(?P<multiboot>\d+), '
                  r'loader "(?P<loader>.*)", command line "(?P<cmdline>.*)"$')
CPU = re.compile(r'^CPU: (?P<vendor>\S+) (?P<signature>family \S+ model \S+ stepping \S+), '
                 r'"(?P<brand>.*)"$')
PLATFORM = re.compile(r'^Platform: (?P<name>.*?)(?: \(CPUID 0x40000000 "(?P<signature>.*)"\))?$')
TIMER = re.compile(r"^Timer: (?P<text>(?:TSC (?P<tsc_khz>\d+) kHz)?.*)$")
CPUS = re.compile(r"^CPUs: (?P<text>.*)$")
VMX = re.compile(r"^VMX: (?P<text>.*)$")
# The facts above, which the report has fields for.
BANNER_FACT = re.compile(r"^(?:Boot|CPU|Platform|Timer|CPUs|VMX): ")
# Any other "Key: value" line of the banner (BSP:, APIC:, Microcode:, Experimenter:, ...):
# a capitalised key of up to four words, no punctuation, so that "CPU 1 (APIC ID 1) up: ..."
# and the firmware's "BdsDxe: loading ..." lines before the banner are not taken for facts.
BANNER_KEY = re.compile(r"^(?P<key>[A-Z][A-Za-z0-9]*(?:[ /-][A-Za-z0-9]+){0,3}): (?P<value>\S.*)$")
GRUB_LINE = re.compile(r"^\s*Booting `|GNU GRUB|Welcome to GRUB")

SELFTEST = re.compile(r"^# selftest: (?P<text>.*)$")
SELFTEST_DETAIL = re.compile(r"^#\s{2,}(?P<text>\S.*)$")

# --- the TAP stream ------------------------------------------------------------------------

TAP_VERSION = re.compile(r"^TAP version \d+$")
# The kernel's plan has no directive; TAP allows one ("1..0 # SKIP ...").
PLAN = re.compile(r"^1\.\.(?P<count>\d+)(?:\s*#(?P<directive>.*))?$")
# A result line as the kernel prints it: "not ok 13 - description". Experiment numbers are
# those of the catalogue (an SVM catalogue will number its experiments from 101).
RESULT = re.compile(r"^(?P<status>not ok|ok)\s+(?P<number>\d+)\b\s*(?:-\s*)?(?P<rest>.*)$")
# What any TAP consumer takes for a test line, numbered or not.
TAP_RESULT = re.compile(r"^(?:not ok|ok)\b")
YAML_START = re.compile(r"^\s+---$")
YAML_END = re.compile(r"^\s+\.\.\.$")
YAML_FIELD = re.compile(r"^\s+(?P<key>[A-Za-z_]+):\s?(?P<value>.*)$")
# A comment under a result is one of its notes: "  # measured: ...", "  # note: ...",
# "  # info: ...", "  # inconsistent: ...", "  # break=N: ...".
INDENTED_COMMENT = re.compile(r"^\s+#\s?(?P<text>.*)$")
COMMENT = re.compile(r"^#\s?(?P<text>.*)$")
# The body of a YAML block, or of a FATAL report's register dump.
INDENTED = re.compile(r"^\s+\S")
RANDOM_ORDER = re.compile(r"^# random order: seed (?P<seed>\d+), (?P<runs>\d+) runs over "
                          r"(?P<experiments>\d+) experiments$")

# A result's note that says its known deviation did not show (applies to the note's text).
DID_NOT_SHOW_NOTE = re.compile(r"^note: the known.*did not show")

# --- how a run ends --------------------------------------------------------------------------

SUMMARY = re.compile(r"^SUMMARY: (?P<tests>\d+) tests, (?P<unexpected>\d+) unexpected failures, "
                     r"(?P<known>\d+) known failures, (?P<skipped>\d+) skipped"
                     r"(?:, (?P<did_not_show>\d+) known deviations did not show)?"
                     r"(?P<strict> \(strict: known deviations count as failures\))?")
EXIT = re.compile(r"^EXIT: STATUS=(?P<status>-?\d+)")
BAIL_OUT = re.compile(r"^Bail out!\s*(?P<reason>.*)$")
FATAL = re.compile(r"^FATAL: (?P<text>.*)$")
# The kernel's lines that are neither banner facts nor TAP.
ENDING_KEYS = ("SUMMARY", "EXIT", "FATAL")
ENDING_LINE = re.compile(rf"^(?:{'|'.join(ENDING_KEYS)}): ")

# --- each fact once (issue 17) ------------------------------------------------------------------

# (a) A known deviation's note once per run: the directive names the deviations ("# TODO
# known Bochs 2.7 deviation [entry-keeps-nmi-blocking, nmi-exit-saves-blocking]", matched at
# the end of the directive's text) and a later comment gives each note once ("# deviation
# entry-keeps-nmi-blocking (Bochs 2.7): <note>", matched on the comment's text; an older
# draft had "(evidence: ...)" at the end and no platform).
DEVIATION_ID = re.compile(r"\s*\[(?P<ids>[A-Za-z0-9][A-Za-z0-9._-]*(?:, [A-Za-z0-9][A-Za-z0-9._-]*)*)\]$")
DEVIATION_NOTE = re.compile(r"^deviation (?P<id>[A-Za-z0-9][A-Za-z0-9._-]*)(?: \((?P<platform>[^)]*)\))?: "
                            r"(?P<note>.*?)(?: \(evidence: (?P<evidence>.*)\))?$")
# (b) The known deviations that did not show, once, on a comment instead of a note under each
# result: "# note: known Bochs 2.7 deviations that did not show (fixed?): 3 7 10".
DID_NOT_SHOW_LIST = re.compile(r"^note: known (?P<platform>.+?) deviations that did not show \(fixed\?\): "
                               r"(?P<numbers>\d+(?: \d+)*)$")
# (c) Which catalogue ran: "Catalogue: vmx" or "Catalogue: svm" (SVM experiments from 101).
CATALOGUE = re.compile(r"^Catalogue: (?P<name>[a-z0-9]+)$")

# --- random scenarios (scenarios=N or A-B, seed=S; experiments/scenario_run.c) -------------------
# A scenario run's test points are batches of scenarios, not catalogue experiments. All but
# SCENARIO_BATCH (a result's title) and SCENARIO_SKIP (the plan's directive) apply to a
# comment's text (COMMENT's or INDENTED_COMMENT's "text").

# Before the plan: "# random scenarios 101-200 of seed 3, 100 to a test point".
SCENARIO_PLAN = re.compile(r"^random scenarios (?P<first>\d+)-(?P<last>\d+) of seed (?P<seed>\d+), "
                           r"(?P<per_point>\d+) to a test point$")
# Without VMX the plan is all there is: "1..0 # SKIP random scenarios needs VMX, which ...".
SCENARIO_SKIP = re.compile(r"^\s*SKIP random scenarios (?P<reason>.*)$")
# A test point: "scenarios 101-200 (seed 3): 59 agree with the SDM's model, 40 with Bochs 2.7's
# known deviations, 1 diverge"; the kernel leaves out the known and diverge counts when 0.
SCENARIO_BATCH = re.compile(r"^scenarios (?P<first>\d+)-(?P<last>\d+) \(seed (?P<seed>\d+)\): "
                            r"(?P<agree>\d+) agree with the SDM's model"
                            r"(?:, (?P<known>\d+) with (?P<platform>.+)'s known deviations)?"
                            r"(?:, (?P<diverge>\d+) diverge)?$")
# Before its batch's test point, one per diverging scenario: "# scenario 150 diverges at step 1
# (alone: scenarios=150-150 seed=3): expected ...; observed ...", and possibly the remark
# "#   (the known Bochs 2.7 deviations do not explain it: ...)" on the next line.
SCENARIO_DIVERGES = re.compile(r"^scenario (?P<scenario>\d+) diverges at step (?P<step>\d+) "
                               r"\(alone: (?P<rerun>[^)]*)\): expected (?P<expected>.*?); observed (?P<observed>.*)$")
SCENARIO_REMARK = re.compile(r"^\s+\((?P<remark>.*)\)$")
# Under the first divergence's YAML block, the reproducers: "  # scenario 150 (seed 3), as drawn;
# each EXPECT is the SDM model's:" and "  # the shortest scenario found that still diverges (1 step,
# 1 run to find it), ready for experiments/catalogue.c:", each followed by its lines of C,
# "  #   H(WAIT(SENDS(INTR), EXPECT(INTR_H))),".
SCENARIO_DRAWN = re.compile(r"^scenario (?P<scenario>\d+) \(seed (?P<seed>\d+)\), as drawn\b.*:$")
SCENARIO_SHORTEST = re.compile(r"^the shortest scenario found that still diverges \((?P<steps>\d+) steps?, "
                               r"(?P<runs>\d+) runs? to find it\).*:$")
SCENARIO_CODE = re.compile(r"^\s{2}(?P<code>\S.*)$")
# The run's totals: "# scenarios: 300 run (seed 1): 195 agree with the SDM's model, 105 with known
# deviations (entry-keeps-nmi-blocking 84, injected-nmi-blocks 20), 0 diverge".
SCENARIO_TOTALS = re.compile(r"^scenarios: (?P<run>\d+) run \(seed (?P<seed>\d+)\): (?P<agree>\d+) agree with the "
                             r"SDM's model, (?P<known>\d+) with known deviations(?: \((?P<counts>[^)]*)\))?, "
                             r"(?P<diverge>\d+) diverge$")
# One of the totals' "(...)": "entry-keeps-nmi-blocking 84".
SCENARIO_DEVIATION_COUNT = re.compile(r"^(?P<id>[A-Za-z0-9][A-Za-z0-9._-]*) (?P<count>\d+)$")
# After a bail-out: "# 2 scenarios not run: the run bailed out".
SCENARIOS_NOT_RUN = re.compile(r"^(?P<count>\d+) scenarios not run: (?P<why>.*)$")

# --- one result line ----------------------------------------------------------------------------

_TAP_ESCAPE = re.compile(r"\\([\\#])")
_TIMING = r"\((?:(?P<tally>\d+ runs: \d+ passed, \d+ failed); mean )?(?P<us>\d+) us\)"
# Old format: the timing ends the description, so whatever "#" text follows it is the
# directive; titles may contain "#" themselves ("#GP exiting").
_TIMED = re.compile(rf"^(?P<title>.*?)\s*{_TIMING}\s*(?:#\s*(?P<directive>.*))?$")
# A skipped experiment has no timing: only SKIP or TODO can end its title.
# The description may be absent: "ok 5 # SKIP not in the SVM catalogue" (TAP allows it).
_UNTIMED = re.compile(r"^(?P<title>.*?)(?:(?:^|\s+)#\s*(?P<directive>(?:SKIP|TODO)\b.*))?$", re.IGNORECASE)
# Timing at the end of a (new-format) description, which has no directive in it any more.
_TIMED_DESCRIPTION = re.compile(rf"^(?P<title>.*?)\s*{_TIMING}$")
_DIRECTIVE = re.compile(r"^(?P<kind>SKIP|TODO)\b\s*(?P<reason>.*)$", re.IGNORECASE)
_TALLY = re.compile(r"^(?P<runs>\d+) runs: (?P<passed>\d+) passed, (?P<failed>\d+) failed$")
# A random-order experiment that no run picked; old kernels printed it "ok".
_NO_RUNS = re.compile(r"^0 runs:")


@dataclass(frozen=True)
class ResultLine:
    """A result line split into its parts as the kernel writes them; what the line means
    for the platform (a timeout, a known deviation) is the reader's business."""
    ok: bool                    # "ok" rather than "not ok"
    number: int
    title: str                  # unescaped, without the timing
    elapsed_us: int | None      # per run; the mean in random order
    tally: str | None           # random order: "52 runs: 50 passed, 2 failed"
    trailer: str | None         # the unescaped text after the "#" that ends the description
    directive_kind: str | None  # "SKIP" or "TODO" when the trailer is a TAP directive
    directive: str | None       # the directive's text after SKIP or TODO
    escaped: bool               # the line used TAP 13 escapes (\# and \\): the new format

    @property
    def never_run(self) -> bool:
        """Random order: no run picked it (old kernels printed such a line "ok")."""
        return bool(self.tally and _NO_RUNS.match(self.tally))

    def tally_counts(self) -> tuple[int, int, int] | None:
        """(runs, passed, failed) of a random-order line, else None."""
        m = _TALLY.match(self.tally or "")
        return (int(m["runs"]), int(m["passed"]), int(m["failed"])) if m else None

    def table_verdict(self) -> str:
        """The verdict in the words of the expected tables (tests/expected/*.txt): pass,
        fail, known or skip, by TAP status and directive as the kernel counts them."""
        if self.directive_kind == "SKIP":
            return "skip"
        if self.directive_kind == "TODO":
            return "pass" if self.ok else "known"
        return "pass" if self.ok else "fail"


def read_result(line: str) -> ResultLine | None:
    """The parts of a result line, or None if the line is not one."""
    m = RESULT.match(line)
    return split_result(m["status"], int(m["number"]), m["rest"]) if m else None


def split_result(status: str, number: int, rest: str) -> ResultLine:
    """A result line from its status, number and the text after "ok N - "."""
    parts = _description_parts(rest)
    trailer = tap_unescape(parts["directive"]) if parts["directive"] else None
    directive = _DIRECTIVE.match(trailer or "")
    return ResultLine(ok=status != "not ok", number=number, title=parts["title"].strip(),
                      elapsed_us=int(parts["us"]) if parts["us"] else None, tally=parts["tally"],
                      trailer=trailer, directive_kind=directive["kind"].upper() if directive else None,
                      directive=directive["reason"] if directive else None, escaped=parts["escaped"])


def tap_unescape(text: str) -> str:
    """TAP 13 escapes: "\\#" is a "#", "\\\\" a backslash."""
    return _TAP_ESCAPE.sub(r"\1", text)


def _split_escaped(rest: str) -> tuple[str, str | None]:
    """New format: the first "#" that is not escaped starts the directive. Returns the
    unescaped description and the raw directive text (None without one)."""
    description = []
    index = 0
    while index < len(rest):
        char = rest[index]
        if char == "\\" and index + 1 < len(rest) and rest[index + 1] in "\\#":
            description.append(rest[index + 1])
            index += 2
        elif char == "#":
            return "".join(description), rest[index + 1:]
        else:
            description.append(char)
            index += 1
    return "".join(description), None


def _description_parts(rest: str) -> dict:
    """title, us, tally, directive (raw), escaped: from the text after "ok N - "."""
    if "\\" in rest:   # TAP 13 escapes: only the new format has them
        description, directive = _split_escaped(rest)
        timing = _TIMED_DESCRIPTION.match(description.rstrip())
        parts = timing.groupdict() if timing else {"title": description, "us": None, "tally": None}
        return {**parts, "directive": directive.strip() if directive is not None else None, "escaped": True}
    # Old format (or a new line with nothing to escape, which reads the same): a raw "#"
    # may be part of the title, so the timing, or " # SKIP"/" # TODO", ends it.
    parts = (_TIMED.match(rest) or _UNTIMED.match(rest)).groupdict()
    parts.setdefault("us", None)
    parts.setdefault("tally", None)
    return {**parts, "escaped": False}


def yaml_value(raw: str) -> str:
    """A diagnostic value: new logs double-quote it with JSON-style escapes, old ones do
    not quote at all. A quoted value cut off by the end of the log keeps what it has."""
    value = raw.strip()
    if not value.startswith('"'):
        return value
    try:
        decoded = json.loads(value)
        if isinstance(decoded, str):
            return decoded
    except ValueError:
        pass
    inner = value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:]
    return re.sub(r'\\(["\\])', r"\1", inner)
