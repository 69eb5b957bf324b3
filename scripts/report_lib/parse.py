"""Serial log -> Run objects.

The log is whatever the UART and the boot loader produced: GRUB menus drawn with VT100
escapes, CRLF line ends, duplicated GRUB lines under UEFI, verbose trace lines between
the TAP lines, and possibly a cut-off end or binary noise. The parser therefore cleans
the text first and then recognises only the lines it knows, one line at a time, and
ignores everything else; nothing in a log can make it fail.
"""

import os
import re
import stat

from .grammar import (BAIL_OUT, BANNER, BANNER_FACT, BANNER_KEY, BOOT, CATALOGUE, COMMENT, CPU, CPUS, DEVIATION_ID,
                      DEVIATION_NOTE, DID_NOT_SHOW_LIST, ENDING_KEYS, EXIT, FATAL,
                      GRUB_LINE, INDENTED, INDENTED_COMMENT, PLAN, PLATFORM, RANDOM_ORDER, SELFTEST,
                      SELFTEST_DETAIL, SUMMARY, TAP_VERSION, TIMER, VMX, YAML_END, YAML_FIELD, YAML_START, ResultLine,
                      read_result, split_result, yaml_value)
from .grammar import (SCENARIO_BATCH, SCENARIO_CODE, SCENARIO_DEVIATION_COUNT, SCENARIO_DIVERGES, SCENARIO_DRAWN,
                      SCENARIO_PLAN, SCENARIO_REMARK, SCENARIO_SHORTEST, SCENARIO_SKIP, SCENARIO_TOTALS,
                      SCENARIOS_NOT_RUN)
from .model import DIAGNOSTIC_KEYS, LogProblem, RandomOrder, Result, Run, Summary, Verdict
from .model import ScenarioBatch, ScenarioDivergence, ScenarioRun, ScenarioTotals

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


# --- one result line -------------------------------------------------------------------

def parse_result_line(status: str, number: int, rest: str) -> Result:
    """A TAP result line, judged as far as the line allows (the YAML may refine it)."""
    return _result(split_result(status, number, rest))


def _result(line: ResultLine) -> Result:
    """The line's Result, with the remarks the line itself makes as notes."""
    # A directive "known <platform> deviation [<ids>]" names its notes (grammar.DEVIATION_ID);
    # the run's "# deviation <id> ...: <note>" comments give them, and _finish_run() spells
    # the directive out with them.
    result = Result(number=line.number, title=line.title, verdict=_verdict(line), tap_ok=line.ok,
                    directive_kind=line.directive_kind, elapsed_us=line.elapsed_us,
                    directive=line.directive, random_tally=line.tally, escaped=line.escaped)
    if line.directive_kind == "TODO" and line.ok:
        result.notes.append(f"passed although marked TODO: {result.directive}")
    elif line.trailer and not line.directive_kind:
        # Not a TAP directive but the kernel's own remark, e.g. "inconsistent: the verdict
        # depends on what ran before" on a random-order line that passed and failed.
        result.notes.append(line.trailer)
    if line.never_run and line.directive_kind is None:
        result.notes.append("no run picked it in random order (this kernel printed it as ok)")
    return result


def _verdict(line: ResultLine) -> Verdict:
    if line.directive_kind == "SKIP":
        # "not run: ..." (random order never picked it), "not selected (exp=)" and the
        # other catalogue's numbers ("not in the SVM catalogue", "in the VMX catalogue: this
        # run uses the SVM catalogue") are no verdict about the platform.
        return Verdict.NOT_RUN if (line.directive or "").lower().startswith(
            ("not run", "not selected", "not in the", "in the vmx catalogue", "in the svm catalogue")) else Verdict.SKIP
    if not line.ok:
        return Verdict.XFAIL if line.directive_kind == "TODO" else Verdict.FAIL
    if line.never_run:
        return Verdict.NOT_RUN
    return Verdict.PASS


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
        # A scenario run: the latest batch (for its YAML and reproducers), the divergence its
        # YAML or reproducer is about, the list of C lines being read, the divergence whose
        # remark may come on the next line.
        self.batch: ScenarioBatch | None = None
        self.divergence: ScenarioDivergence | None = None
        self.code_block: list[str] | None = None
        self.remark_target: ScenarioDivergence | None = None

    def _new_run(self) -> Run:
        return Run(log_path=self.log_path, log_name=self.log_name, log_mtime=self.log_mtime,
                   index_in_log=len(self.runs) + 1)

    def _start_next_run(self) -> None:
        self._finish_run()
        self.run = self._new_run()
        self.result = None
        self.batch = self.divergence = self.code_block = self.remark_target = None

    def _finish_run(self) -> None:
        if self.run.has_content():
            _spell_out_deviations(self.run)
            _check_consistency(self.run)
            self.runs.append(self.run)

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        self._consume(line)
        # GRUB's lines before a second boot's banner would otherwise pose as the last
        # thing the first boot printed.
        if not GRUB_LINE.search(line):
            self.run.last_line = line.strip()

    def _consume(self, line: str) -> None:
        if self.in_yaml and self._yaml_line(line):
            return
        self.in_yaml = False
        if self.in_fatal_dump and INDENTED.match(line):
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
        banner = BANNER.search(line)
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
        if not BANNER_FACT.match(line):
            return self._other_banner_fact(line)
        # The kernel prints these only before the TAP stream: after it, they belong to a
        # new boot whose "nmi-lab" line was lost (and must not overwrite this run's facts).
        if self.run.tap_seen:
            self._start_next_run()
        b = self.run.banner
        key, value = line.split(": ", 1)
        b.lines.append((key, value))
        if m := BOOT.match(line):
            b.firmware, b.multiboot = m["firmware"], m["multiboot"]
            b.loader, b.command_line = m["loader"], m["cmdline"]
        elif m := CPU.match(line):
            b.cpu_vendor, b.cpu_signature, b.cpu_brand = m["vendor"], m["signature"], m["brand"]
        elif m := PLATFORM.match(line):
            b.platform, b.hypervisor_signature = m["name"], m["signature"]
        elif m := TIMER.match(line):
            b.timer = m["text"]
        elif m := CPUS.match(line):
            b.cpus = m["text"]
        elif m := VMX.match(line):
            b.vmx.append(m["text"])
        return True

    def _other_banner_fact(self, line: str) -> bool:
        """A "Key: value" line this parser has no field for: kept as a fact of the run,
        but only between the kernel's banner line and the TAP stream."""
        m = BANNER_KEY.match(line)
        if not m or m["key"].upper() in ENDING_KEYS or not self.run.banner.version or self.run.tap_seen:
            return False
        self.run.banner.lines.append((m["key"], m["value"]))
        if c := CATALOGUE.match(line):
            self.run.catalogue = c["name"]
        return True

    def _selftest_line(self, line: str) -> bool:
        if m := SELFTEST.match(line):
            self.run.selftests.append(m["text"])
            return True
        if not self.run.tap_seen and self.run.selftests and (m := SELFTEST_DETAIL.match(line)):
            self.run.selftests[-1] += f"; {m['text']}"
            return True
        return False

    # --- the TAP stream ---

    def _tap_line(self, line: str) -> bool:
        if TAP_VERSION.match(line):
            # A second TAP header without a banner: a new boot whose banner was lost.
            if self.run.results or self.run.exit_status is not None:
                self._start_next_run()
            self.run.tap_seen = True
        elif (m := PLAN.match(line)) and m["directive"] is None:
            self.run.plan = int(m["count"])
        elif m and (skip := SCENARIO_SKIP.match(m["directive"])):
            # "1..0 # SKIP random scenarios needs VMX ...": a scenario run that ran nothing.
            self.run.plan = int(m["count"])
            self.run.scenarios = ScenarioRun(skipped=skip["reason"])
        elif result_line := read_result(line):
            if self.run.scenarios:
                self._batch_line(result_line)
            else:
                self._result_line(result_line)
        elif (self.result or self.batch) and YAML_START.match(line):
            self.in_yaml = True
            (self.result or self.batch).diagnostic_closed = False
            self.divergence = None
        elif self.batch and (m := INDENTED_COMMENT.match(line)):
            self._batch_comment(m["text"])
        elif self.result and (m := INDENTED_COMMENT.match(line)):
            self.result.notes.append(m["text"])
        else:
            return False
        return True

    def _result_line(self, line: ResultLine) -> None:
        result = _result(line)
        results = self.run.results
        if result.number in results:
            self.run.warnings.append(f"experiment {result.number} is reported twice; the later line counts")
            del results[result.number]
        results[result.number] = result
        self.run.tap_seen = True
        self.result, self.batch = result, None

    def _yaml_end_or_field(self, line: str, block):
        """A line of the open YAML block of `block` (a test point or a batch): its end
        marker closes it, (True, None); a field gives (True, (key, value)); any other
        line is not the block's, (False, None)."""
        if YAML_END.match(line):
            block.diagnostic_closed = True
            self.in_yaml = False
            return True, None
        field = YAML_FIELD.match(line)
        if not field:
            return False, None
        return True, (field["key"].lower(), yaml_value(field["value"]))

    def _yaml_line(self, line: str) -> bool:
        """True if the line belongs to the open YAML block."""
        if self.batch:
            return self._batch_yaml_line(line)
        belongs, field = self._yaml_end_or_field(line, self.result)
        if not field:
            return belongs
        key, value = field
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
        if m := RANDOM_ORDER.match(line):
            self.run.random_order = RandomOrder(int(m["seed"]), int(m["runs"]), int(m["experiments"]))
        elif m := COMMENT.match(line):
            self.run.comments.append(m["text"])
            self._run_fact(m["text"])
            self._scenario_fact(m["text"])
        else:
            return False
        return True

    def _run_fact(self, text: str) -> None:
        """A comment that says something once for the whole run: a known deviation's note,
        or the experiments where the platform's known deviations did not show."""
        if m := DEVIATION_NOTE.match(text):
            self.run.deviation_notes[m["id"]] = m["note"]
        elif m := DID_NOT_SHOW_LIST.match(text):
            for number in map(int, m["numbers"].split()):
                if result := self.run.results.get(number):
                    result.did_not_show_listed = True

    # --- a random-scenario run: batches, divergences, reproducers, totals ---

    def _batch_line(self, line: ResultLine) -> None:
        """A scenario run's test point: a batch of scenarios, whose "# scenario N diverges"
        comments came before it."""
        scenarios = self.run.scenarios
        batch = ScenarioBatch(number=line.number, verdict=_verdict(line), tap_ok=line.ok,
                              directive_kind=line.directive_kind, directive=line.directive, title=line.title)
        if m := SCENARIO_BATCH.match(line.title):
            batch.first, batch.last, batch.seed = int(m["first"]), int(m["last"]), int(m["seed"])
            batch.agree, batch.known, batch.diverge = int(m["agree"]), int(m["known"] or 0), int(m["diverge"] or 0)
            scenarios.platform_name = scenarios.platform_name or m["platform"]
        else:
            self.run.warnings.append(f"test point {line.number} of the scenario run is not a batch of scenarios: "
                                     f"{line.title!r}")
        if ids := DEVIATION_ID.search(line.directive or ""):
            batch.deviation_ids = ids["ids"].split(", ")
        if batch.number in scenarios.batches:
            self.run.warnings.append(f"test point {batch.number} is reported twice; the later line counts")
        scenarios.batches[batch.number] = batch
        for divergence in scenarios.divergences:
            if divergence.test_point is None:
                divergence.test_point = batch.number
        self.run.tap_seen = True
        self.batch, self.result = batch, None
        self.divergence = self.code_block = self.remark_target = None

    def _batch_divergence(self, scenario: int | None) -> ScenarioDivergence:
        """The batch's divergence of that scenario (its first, for None); made here when the
        log lost its "# scenario N diverges" comment."""
        scenarios = self.run.scenarios
        found = [d for d in scenarios.divergences_of(self.batch.number) if scenario is None or d.scenario == scenario]
        if found:
            return found[0]
        divergence = ScenarioDivergence(scenario, None, None, None, test_point=self.batch.number)
        scenarios.divergences.append(divergence)
        return divergence

    def _batch_yaml_line(self, line: str) -> bool:
        """The first divergence's YAML (scenario, step, expected, observed); True if the
        line belongs to the open block."""
        belongs, field = self._yaml_end_or_field(line, self.batch)
        if not field:
            return belongs
        key, value = field
        if key == "scenario":
            self.divergence = self._batch_divergence(int(value) if value.isdigit() else None)
        elif key in ("step", "expected", "observed"):
            self.divergence = self.divergence or self._batch_divergence(None)
            setattr(self.divergence, key, value)   # the YAML's step says it in words
        else:
            self.batch.notes.append(f"{key}: {value}")
        if key == "observed" and is_timeout(value) and self.batch.verdict == Verdict.FAIL:
            self.batch.verdict = Verdict.TIMEOUT
        return True

    def _batch_comment(self, text: str) -> None:
        """A comment under a batch: a reproducer's heading or one of its lines of C, or a note."""
        if m := SCENARIO_DRAWN.match(text):
            self.divergence = self._batch_divergence(int(m["scenario"]))
            self.divergence.drawn_heading = text
            self.code_block = self.divergence.drawn
        elif SCENARIO_SHORTEST.match(text):
            self.divergence = self.divergence or self._batch_divergence(None)
            self.divergence.shortest_heading = text
            self.code_block = self.divergence.shortest
        elif self.code_block is not None and (m := SCENARIO_CODE.match(text)):
            self.code_block.append(m["code"])
        else:
            self.code_block = None
            self.batch.notes.append(text)

    def _scenario_fact(self, text: str) -> None:
        """A comment of a scenario run: its plan, a divergence (and the remark after it),
        the totals, the scenarios a bail-out left."""
        if m := SCENARIO_PLAN.match(text):
            self.run.scenarios = ScenarioRun(first=int(m["first"]), last=int(m["last"]), seed=int(m["seed"]),
                                             per_test_point=int(m["per_point"]))
            return
        scenarios = self.run.scenarios
        if scenarios is None:
            return
        remark_target, self.remark_target = self.remark_target, None
        self.code_block = None
        if remark_target and (m := SCENARIO_REMARK.match(text)):
            remark_target.remark = m["remark"]
        elif m := SCENARIO_DIVERGES.match(text):
            divergence = ScenarioDivergence(int(m["scenario"]), m["step"], m["expected"], m["observed"],
                                            rerun=m["rerun"])
            scenarios.divergences.append(divergence)
            self.remark_target = divergence
        elif m := SCENARIO_TOTALS.match(text):
            scenarios.totals = ScenarioTotals(int(m["run"]), int(m["seed"]), int(m["agree"]), int(m["known"]),
                                              int(m["diverge"]), _deviation_counts(m["counts"]))
            if scenarios.seed is None:
                scenarios.seed = scenarios.totals.seed
        elif SCENARIOS_NOT_RUN.match(text):
            scenarios.not_run = text

    # --- how the run ended ---

    def _ending_line(self, line: str) -> bool:
        if m := SUMMARY.match(line):
            did_not_show = int(m["did_not_show"]) if m["did_not_show"] is not None else None
            self.run.summary = Summary(int(m["tests"]), int(m["unexpected"]), int(m["known"]),
                                       int(m["skipped"]), did_not_show, m["strict"] is not None)
        elif m := EXIT.match(line):
            self.run.exit_status = int(m["status"])
        elif m := BAIL_OUT.match(line):
            self.run.bail_out = m["reason"] or "(no reason given)"
        elif m := FATAL.match(line):
            self.run.fatal.append(m["text"])
            self.in_fatal_dump = True   # the register dump follows, indented
        else:
            return False
        self.result = self.batch = None   # notes after these lines belong to no experiment
        return True


def _deviation_counts(text: str | None) -> dict[str, int]:
    """"entry-keeps-nmi-blocking 84, injected-nmi-blocks 20" -> {id: scenarios}."""
    counts = {}
    for part in (text or "").split(", "):
        if m := SCENARIO_DEVIATION_COUNT.match(part):
            counts[m["id"]] = int(m["count"])
    return counts


def _spell_out_deviations(run: Run) -> None:
    """A directive that names deviations by id gets their notes from the run's legend:
    "known Bochs 2.7 deviation [a, b]" becomes "known Bochs 2.7 deviation [a, b]: note a;
    note b", so every reader of Result.directive has the whole explanation."""
    for result in run.results.values():
        m = DEVIATION_ID.search(result.directive or "")
        if not m:
            continue
        notes = [run.deviation_notes[i] for i in m["ids"].split(", ") if i in run.deviation_notes]
        if notes:
            result.directive = f"{result.directive}: {'; '.join(notes)}"


def _check_consistency(run: Run) -> None:
    """Cross-checks that catch a damaged log (or a parser that misread one)."""
    reported = len(run.test_points())
    if run.complete and run.plan is not None and run.plan != reported:
        what = "test points" if run.scenarios else "experiments"
        run.warnings.append(f"the plan announced {run.plan} {what} but {reported} were reported")
    if run.summary:
        _check_summary(run)
    if run.scenarios:
        _check_scenarios(run)
    for point in run.test_points():
        if not point.diagnostic_closed:
            point.notes.append("the YAML diagnostic is cut off (the log ends inside it)")


def _check_scenarios(run: Run) -> None:
    """A batch's counts add up to its size, its divergences are the ones named before it,
    and the batches add up to the run's totals."""
    scenarios = run.scenarios
    batches = list(scenarios.batches.values())
    for batch in batches:
        if batch.size is None:
            continue
        counted = batch.agree + batch.known + batch.diverge
        if counted != batch.size:
            run.warnings.append(f"test point {batch.number} counts {counted} scenarios in a batch of {batch.size}")
        named = len(scenarios.divergences_of(batch.number))
        if named != batch.diverge:
            run.warnings.append(f"test point {batch.number} counts {batch.diverge} diverging scenarios but the "
                                f"log names {named}")
    totals = scenarios.totals
    if totals is None or any(batch.size is None for batch in batches):
        return
    added = (sum(b.size for b in batches), sum(b.agree for b in batches), sum(b.known for b in batches),
             sum(b.diverge for b in batches))
    if added != (totals.run, totals.agree, totals.known, totals.diverge):
        run.warnings.append(f"the test points add up to {added[0]} scenarios ({added[1]} agree, {added[2]} known, "
                            f"{added[3]} diverge) but the totals say {totals.run} ({totals.agree} agree, "
                            f"{totals.known} known, {totals.diverge} diverge)")


def tap_counts(run: Run) -> tuple[int, int, int, int, int]:
    """(tests, unexpected failures, known failures, skipped, deviations that did not show)
    as the kernel counts them: by TAP status and directive, whatever the report calls the
    verdict (an old kernel's "ok" for an experiment that never ran counts as a pass)."""
    points = run.test_points()   # a scenario run's batches count the same way
    return (len(points),
            sum(not p.tap_ok and p.directive_kind is None for p in points),
            sum(not p.tap_ok and p.directive_kind == "TODO" for p in points),
            sum(p.directive_kind == "SKIP" for p in points),
            sum(r.deviation_did_not_show for r in run.results.values()))


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
