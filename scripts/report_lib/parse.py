"""Serial log -> Run objects.

The log is whatever the UART and the boot loader produced: GRUB menus drawn with VT100
escapes, CRLF line ends, duplicated GRUB lines under UEFI, verbose trace lines between
the TAP lines, and possibly a cut-off end or binary noise. The parser therefore cleans
the text first and then recognises only the lines it knows, one line at a time, and
ignores everything else; nothing in a log can make it fail.
"""

import json
import os
import re
import stat

from .model import DIAGNOSTIC_KEYS, LogProblem, RandomOrder, Result, Run, Summary, Verdict

# --- cleaning ------------------------------------------------------------------------

_ESCAPE_SEQUENCE = re.compile(r"""
      \x1b\[[0-?]*[ -/]*[@-~]              # CSI: cursor moves, colours, erase
    | \x1b\][^\x07\x1b\r\n]*(?:\x07|\x1b\\)  # OSC: window titles, ended by BEL or ST
    | \x1b[PX^_][^\x1b\r\n]*\x1b\\         # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]                      # two-character escapes: ESC 7, ESC c, ESC ( B
    | \x9b[0-?]*[ -/]*[@-~]                # 8-bit CSI
""", re.VERBOSE)
# Tab survives; CR and LF are gone by the time this applies.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_lines(raw: bytes) -> list[str]:
    """Decoded, escape-free lines without line-end characters or trailing blanks."""
    text = raw.decode("utf-8", errors="replace")
    text = _ESCAPE_SEQUENCE.sub("", text)
    # A lone CR ends a line too: on a terminal the text after it overwrites the line,
    # and the kernel itself never prints one inside a line.
    lines = re.split(r"\r\n|\r|\n", text)
    return [_CONTROL_CHARACTER.sub("", line).rstrip() for line in lines]


# --- line patterns ---------------------------------------------------------------------

_BANNER = re.compile(r"nmi-lab (?P<version>\S+) \(git (?P<rev>[^)]*)\), (?P<arch>\S+) build")
_BOOT = re.compile(r'^Boot: (?P<firmware>.*?), multiboot(?P<multiboot>\d+), '
                   r'loader "(?P<loader>.*)", command line "(?P<cmdline>.*)"$')
_CPU = re.compile(r'^CPU: (?P<vendor>\S+) (?P<signature>family \S+ model \S+ stepping \S+), '
                  r'"(?P<brand>.*)"$')
_PLATFORM = re.compile(r'^Platform: (?P<name>.*?)(?: \(CPUID 0x40000000 "(?P<signature>.*)"\))?$')
_TIMER = re.compile(r"^Timer: (?P<text>.*)$")
_CPUS = re.compile(r"^CPUs: (?P<text>.*)$")
_VMX = re.compile(r"^VMX: (?P<text>.*)$")
_BANNER_FACT = re.compile(r"^(?:Boot|CPU|Platform|Timer|CPUs|VMX): ")
# Any other "Key: value" line of the banner (BSP:, APIC:, Microcode:, Experimenter:, ...):
# a capitalised key of up to four words, no punctuation, so that "CPU 1 (APIC ID 1) up: ..."
# and the firmware's "BdsDxe: loading ..." lines before the banner are not taken for facts.
_BANNER_KEY = re.compile(r"^(?P<key>[A-Z][A-Za-z0-9]*(?:[ /-][A-Za-z0-9]+){0,3}): (?P<value>\S.*)$")
_NOT_BANNER_KEYS = {"SUMMARY", "EXIT", "FATAL"}
_SELFTEST = re.compile(r"^# selftest: (?P<text>.*)$")
_SELFTEST_DETAIL = re.compile(r"^#\s{2,}(?P<text>\S.*)$")
_TAP_VERSION = re.compile(r"^TAP version \d+$")
_PLAN = re.compile(r"^1\.\.(?P<count>\d+)$")
_RESULT = re.compile(r"^(?P<status>not ok|ok)\s+(?P<number>\d+)\b\s*(?:-\s*)?(?P<rest>.*)$")
# Old format: the timing ends the description, so whatever "#" text follows it is the
# directive; titles may contain "#" themselves ("#GP exiting").
_TIMED = re.compile(r"^(?P<title>.*?)\s*\((?:(?P<tally>\d+ runs: \d+ passed, \d+ failed); mean )?"
                    r"(?P<us>\d+) us\)\s*(?:#\s*(?P<directive>.*))?$")
# A random-order experiment that no run picked; old kernels printed it "ok".
_NO_RUNS = re.compile(r"^0 runs:")
# A skipped experiment has no timing: only SKIP or TODO can end its title.
_UNTIMED = re.compile(r"^(?P<title>.*?)(?:\s+#\s*(?P<directive>(?:SKIP|TODO)\b.*))?$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^(?P<kind>SKIP|TODO)\b\s*(?P<reason>.*)$", re.IGNORECASE)
_YAML_START = re.compile(r"^\s+---$")
_YAML_END = re.compile(r"^\s+\.\.\.$")
_YAML_FIELD = re.compile(r"^\s+(?P<key>[A-Za-z_]+):\s?(?P<value>.*)$")
_INDENTED_COMMENT = re.compile(r"^\s+#\s?(?P<text>.*)$")
_RANDOM_ORDER = re.compile(r"^# random order: seed (?P<seed>\d+), (?P<runs>\d+) runs over "
                           r"(?P<experiments>\d+) experiments$")
_COMMENT = re.compile(r"^#\s?(?P<text>.*)$")
_SUMMARY = re.compile(r"^SUMMARY: (?P<tests>\d+) tests, (?P<unexpected>\d+) unexpected failures, "
                      r"(?P<known>\d+) known failures, (?P<skipped>\d+) skipped"
                      r"(?:, (?P<did_not_show>\d+) known deviations did not show)?"
                      r"(?P<strict> \(strict: known deviations count as failures\))?")
_EXIT = re.compile(r"^EXIT: STATUS=(?P<status>-?\d+)")
_BAIL_OUT = re.compile(r"^Bail out!\s*(?P<reason>.*)$")
_FATAL = re.compile(r"^FATAL: (?P<text>.*)$")
_FATAL_DETAIL = re.compile(r"^\s+\S")
_GRUB_LINE = re.compile(r"^\s*Booting `|GNU GRUB|Welcome to GRUB")


# --- one result line -------------------------------------------------------------------

_TAP_ESCAPE = re.compile(r"\\([\\#])")
# Timing at the end of a (new-format) description, which has no directive in it any more.
_TIMING = re.compile(r"^(?P<title>.*?)\s*\((?:(?P<tally>\d+ runs: \d+ passed, \d+ failed); mean )?"
                     r"(?P<us>\d+) us\)$")


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
        timing = _TIMING.match(description.rstrip())
        parts = timing.groupdict() if timing else {"title": description, "us": None, "tally": None}
        return {**parts, "directive": directive.strip() if directive is not None else None, "escaped": True}
    # Old format (or a new line with nothing to escape, which reads the same): a raw "#"
    # may be part of the title, so the timing, or " # SKIP"/" # TODO", ends it.
    parts = (_TIMED.match(rest) or _UNTIMED.match(rest)).groupdict()
    parts.setdefault("us", None)
    parts.setdefault("tally", None)
    return {**parts, "escaped": False}


def parse_result_line(status: str, number: int, rest: str) -> Result:
    """A TAP result line, judged as far as the line allows (the YAML may refine it)."""
    parts = _description_parts(rest)
    trailer = tap_unescape(parts["directive"]) if parts["directive"] else None
    directive = _DIRECTIVE.match(trailer or "")
    kind = directive["kind"].upper() if directive else None
    failed = status == "not ok"
    reason = directive["reason"] if directive else None
    tally = parts["tally"]
    result = Result(number=number, title=parts["title"].strip(), verdict=_verdict(failed, kind, reason, tally),
                    tap_ok=not failed, directive_kind=kind,
                    elapsed_us=int(parts["us"]) if parts["us"] else None,
                    directive=reason, random_tally=tally, escaped=parts["escaped"])
    if kind == "TODO" and not failed:
        result.notes.append(f"passed although marked TODO: {result.directive}")
    elif trailer and not directive:
        # Not a TAP directive but the kernel's own remark, e.g. "inconsistent: the verdict
        # depends on what ran before" on a random-order line that passed and failed.
        result.notes.append(trailer)
    if tally and _NO_RUNS.match(tally) and kind is None:
        result.notes.append("no run picked it in random order (this kernel printed it as ok)")
    return result


def _verdict(failed: bool, directive_kind: str | None, reason: str | None, tally: str | None) -> Verdict:
    if directive_kind == "SKIP":
        # "not run: ..." (random order never picked it) and "not selected (exp=)" are no
        # verdict about the platform.
        return Verdict.NOT_RUN if (reason or "").lower().startswith(("not run", "not selected", "not in the catalogue")) \
            else Verdict.SKIP
    if failed:
        return Verdict.XFAIL if directive_kind == "TODO" else Verdict.FAIL
    if tally and _NO_RUNS.match(tally):
        return Verdict.NOT_RUN
    return Verdict.PASS


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


# --- the parser ---------------------------------------------------------------------------

class _LogParser:
    """Feeds clean lines through a small state machine; yields one Run per boot."""

    def __init__(self, log_path: str, log_name: str, log_mtime: float | None):
        self.log_path, self.log_name, self.log_mtime = log_path, log_name, log_mtime
        self.runs: list[Run] = []
        self.run = self._new_run()
        self.result: Result | None = None   # the latest result, for its YAML and notes
        self.in_yaml = False
        self.in_fatal_dump = False

    def _new_run(self) -> Run:
        return Run(log_path=self.log_path, log_name=self.log_name, log_mtime=self.log_mtime,
                   index_in_log=len(self.runs) + 1)

    def _start_next_run(self) -> None:
        self._finish_run()
        self.run = self._new_run()
        self.result = None

    def _finish_run(self) -> None:
        if self.run.has_content():
            _check_consistency(self.run)
            self.runs.append(self.run)

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        self._consume(line)
        # GRUB's lines before a second boot's banner would otherwise pose as the last
        # thing the first boot printed.
        if not _GRUB_LINE.search(line):
            self.run.last_line = line.strip()

    def _consume(self, line: str) -> None:
        if self.in_yaml and self._yaml_line(line):
            return
        self.in_yaml = False
        if self.in_fatal_dump and _FATAL_DETAIL.match(line):
            self.run.fatal.append(line.strip())
            return
        self.in_fatal_dump = False
        self._dispatch(line)

    def finish(self) -> list[Run]:
        self._finish_run()
        return self.runs

    def _dispatch(self, line: str) -> None:
        for handler in (self._banner_line, self._selftest_line, self._tap_line,
                        self._comment_line, self._ending_line):
            if handler(line):
                return
        # Anything else is GRUB output, verbose trace or noise: not part of the verdicts.

    # --- banner and self-test ---

    def _banner_line(self, line: str) -> bool:
        banner = _BANNER.search(line)
        if banner:
            # A second banner means the machine booted again (a reset, a reboot option):
            # that is a run of its own.
            if self.run.banner.version or self.run.tap_seen or self.run.exit_status is not None:
                self._start_next_run()
            b = self.run.banner
            b.version, b.git_rev, b.arch = banner["version"], banner["rev"], banner["arch"]
            return True
        return self._banner_fact(line)

    def _banner_fact(self, line: str) -> bool:
        if not _BANNER_FACT.match(line):
            return self._other_banner_fact(line)
        # The kernel prints these only before the TAP stream: after it, they belong to a
        # new boot whose "nmi-lab" line was lost (and must not overwrite this run's facts).
        if self.run.tap_seen:
            self._start_next_run()
        b = self.run.banner
        key, value = line.split(": ", 1)
        b.lines.append((key, value))
        if m := _BOOT.match(line):
            b.firmware, b.multiboot = m["firmware"], m["multiboot"]
            b.loader, b.command_line = m["loader"], m["cmdline"]
        elif m := _CPU.match(line):
            b.cpu_vendor, b.cpu_signature, b.cpu_brand = m["vendor"], m["signature"], m["brand"]
        elif m := _PLATFORM.match(line):
            b.platform, b.hypervisor_signature = m["name"], m["signature"]
        elif m := _TIMER.match(line):
            b.timer = m["text"]
        elif m := _CPUS.match(line):
            b.cpus = m["text"]
        elif m := _VMX.match(line):
            b.vmx.append(m["text"])
        return True

    def _other_banner_fact(self, line: str) -> bool:
        """A "Key: value" line this parser has no field for: kept as a fact of the run,
        but only between the kernel's banner line and the TAP stream."""
        m = _BANNER_KEY.match(line)
        if not m or m["key"].upper() in _NOT_BANNER_KEYS or not self.run.banner.version or self.run.tap_seen:
            return False
        self.run.banner.lines.append((m["key"], m["value"]))
        return True

    def _selftest_line(self, line: str) -> bool:
        if m := _SELFTEST.match(line):
            self.run.selftests.append(m["text"])
            return True
        if not self.run.tap_seen and self.run.selftests and (m := _SELFTEST_DETAIL.match(line)):
            self.run.selftests[-1] += f"; {m['text']}"
            return True
        return False

    # --- the TAP stream ---

    def _tap_line(self, line: str) -> bool:
        if _TAP_VERSION.match(line):
            # A second TAP header without a banner: a new boot whose banner was lost.
            if self.run.results or self.run.exit_status is not None:
                self._start_next_run()
            self.run.tap_seen = True
        elif m := _PLAN.match(line):
            self.run.plan = int(m["count"])
        elif m := _RESULT.match(line):
            self._result_line(m)
        elif self.result and _YAML_START.match(line):
            self.in_yaml = True
            self.result.diagnostic_closed = False
        elif self.result and (m := _INDENTED_COMMENT.match(line)):
            self.result.notes.append(m["text"])
        else:
            return False
        return True

    def _result_line(self, match: re.Match) -> None:
        result = parse_result_line(match["status"], int(match["number"]), match["rest"])
        results = self.run.results
        if result.number in results:
            self.run.warnings.append(f"experiment {result.number} is reported twice; the later line counts")
            del results[result.number]
        results[result.number] = result
        self.run.tap_seen = True
        self.result = result

    def _yaml_line(self, line: str) -> bool:
        """True if the line belongs to the open YAML block."""
        if _YAML_END.match(line):
            self.result.diagnostic_closed = True
            self.in_yaml = False
            return True
        field = _YAML_FIELD.match(line)
        if not field:
            return False
        key, value = field["key"].lower(), yaml_value(field["value"])
        if key in DIAGNOSTIC_KEYS:
            setattr(self.result, key, value)
        elif key == "sdm_derived":
            self.result.sdm_derived_flag = value.lower() == "true"
        else:
            self.result.notes.append(f"{key}: {value}")
        if key == "observed" and is_timeout(value) and self.result.verdict == Verdict.FAIL:
            self.result.verdict = Verdict.TIMEOUT
        return True

    def _comment_line(self, line: str) -> bool:
        if m := _RANDOM_ORDER.match(line):
            self.run.random_order = RandomOrder(int(m["seed"]), int(m["runs"]), int(m["experiments"]))
        elif m := _COMMENT.match(line):
            self.run.comments.append(m["text"])
        else:
            return False
        return True

    # --- how the run ended ---

    def _ending_line(self, line: str) -> bool:
        if m := _SUMMARY.match(line):
            did_not_show = int(m["did_not_show"]) if m["did_not_show"] is not None else None
            self.run.summary = Summary(int(m["tests"]), int(m["unexpected"]), int(m["known"]),
                                       int(m["skipped"]), did_not_show, m["strict"] is not None)
        elif m := _EXIT.match(line):
            self.run.exit_status = int(m["status"])
        elif m := _BAIL_OUT.match(line):
            self.run.bail_out = m["reason"] or "(no reason given)"
        elif m := _FATAL.match(line):
            self.run.fatal.append(m["text"])
            self.in_fatal_dump = True   # the register dump follows, indented
        else:
            return False
        self.result = None   # notes after these lines belong to no experiment
        return True


def _check_consistency(run: Run) -> None:
    """Cross-checks that catch a damaged log (or a parser that misread one)."""
    reported = len(run.results)
    if run.complete and run.plan is not None and run.plan != reported:
        run.warnings.append(f"the plan announced {run.plan} experiments but {reported} were reported")
    if run.summary:
        _check_summary(run)
    for result in run.results.values():
        if not result.diagnostic_closed:
            result.notes.append("the YAML diagnostic is cut off (the log ends inside it)")


def tap_counts(run: Run) -> tuple[int, int, int, int, int]:
    """(tests, unexpected failures, known failures, skipped, deviations that did not show)
    as the kernel counts them: by TAP status and directive, whatever the report calls the
    verdict (an old kernel's "ok" for an experiment that never ran counts as a pass)."""
    results = run.results.values()
    return (len(run.results),
            sum(not r.tap_ok and r.directive_kind is None for r in results),
            sum(not r.tap_ok and r.directive_kind == "TODO" for r in results),
            sum(r.directive_kind == "SKIP" for r in results),
            sum(r.deviation_did_not_show for r in results))


def _check_summary(run: Run) -> None:
    s = run.summary
    parsed = tap_counts(run)
    told = (s.tests, s.unexpected_failures, s.known_failures, s.skipped,
            s.did_not_show if s.did_not_show is not None else parsed[4])
    if parsed != told:
        text = (f"{parsed[0]} tests, {parsed[1]} unexpected failures, {parsed[2]} known failures, "
                f"{parsed[3]} skipped")
        if s.did_not_show is not None:
            text += f", {parsed[4]} known deviations did not show"
        run.warnings.append(f"the results read ({text}) disagree with the log's SUMMARY: {s.text()}")


def is_timeout(observed: str | None) -> bool:
    """A step that ran out of time: the wait's own bound ("timeout at ...") or the
    watchdog's INIT ("no progress for N ms ...")."""
    return bool(observed) and (observed.startswith("timeout") or observed.startswith("no progress for"))


# --- entry points ----------------------------------------------------------------------------

def parse_text(raw: bytes, log_path: str = "<memory>", log_name: str | None = None,
               log_mtime: float | None = None) -> list[Run]:
    parser = _LogParser(log_path, log_name or os.path.basename(log_path), log_mtime)
    for line in clean_lines(raw):
        parser.feed(line)
    return parser.finish()


def display_name(path: str) -> str:
    """The path as printable text, even if the file name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", errors="replace")


# A serial log of a full run is about 10 KB; a verbose or 200,000-run soak log a few MB.
MAX_LOG_BYTES = 64 * 1024 * 1024

_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISDIR, "a directory"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return f"refused: {kind}, not a regular file (save the serial output to a file first)"


def read_bytes(path: str, max_bytes: int = MAX_LOG_BYTES) -> tuple[bytes, bool]:
    """At most max_bytes of a regular file, and whether there was more. Raises OSError,
    or ValueError for a FIFO, device or directory: those could block or never end."""
    why = _not_regular(os.stat(path).st_mode)   # stat() never blocks, open() on a FIFO would
    if why:
        raise ValueError(why)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as log:
        why = _not_regular(os.fstat(log.fileno()).st_mode)   # replaced since the stat()?
        if why:
            raise ValueError(why)
        raw = log.read(max_bytes + 1)
    return raw[:max_bytes], len(raw) > max_bytes


def read_log(path: str, max_bytes: int = MAX_LOG_BYTES) -> tuple[list[Run], LogProblem | None]:
    """The runs in one log, or the reason there are none."""
    shown = display_name(path)
    name = os.path.basename(shown) or shown
    try:
        raw, cut = read_bytes(path, max_bytes)
        mtime = os.stat(path).st_mtime
    except ValueError as refusal:
        return [], LogProblem(shown, name, str(refusal))
    except OSError as error:
        return [], LogProblem(shown, name, f"cannot read the log: {error.strerror or error}")
    if not raw.strip():
        return [], LogProblem(shown, name, "the log is empty")
    runs = parse_text(raw, shown, name, mtime)
    if not runs:
        return [], LogProblem(shown, name, f"no nmi-lab output in {len(raw)} bytes (no banner, self-test, "
                                            "TAP, Bail out! or EXIT lines): not a serial log of this kernel?")
    if cut:
        runs[-1].warnings.append(f"the log is larger than {max_bytes} bytes: only its first {max_bytes} "
                                 "bytes were read")
    return runs, None
