"""What the report says about a random-scenario run (scenarios=N or A-B, seed=S).

Its test points are batches of scenarios drawn from the seed, not catalogue experiments:
"ok 1" is "scenarios 1-100", not experiment 1. So such a run has no column in the matrix
but a section of its own, which every format builds from the same ScenarioReport: the
range and seed, the counts, the known deviations that explained scenarios, each batch,
and each divergence with the option that reruns it alone and its reproducers in C."""

from dataclasses import dataclass

from .model import Run, ScenarioBatch, ScenarioDivergence, ScenarioRun

# What the section says before the runs, in every format.
SCENARIOS_INTRO = ("Runs with scenarios= draw random scenarios from a seed instead of running the catalogue's "
                   "experiments. Each is judged against the SDM's model: it agrees, or the platform's known "
                   "deviations explain the difference (known), or it diverges. A test point is a batch of "
                   "scenarios: it fails if one diverges and is a known failure (XFAIL) if all its differences "
                   "are known deviations. Each divergence comes with the option that reruns it alone and the "
                   "scenario in C, as drawn and shrunk, ready for experiments/catalogue.c.")


@dataclass
class DeviationCount:
    """A known deviation that explained scenarios of the run."""
    id: str
    scenarios: int | None   # from the totals line; None when the run has none (cut short)
    note: str | None        # the run's "# deviation <id> (<platform>): <note>"


@dataclass
class ScenarioReport:
    """One scenario run as the report shows it; column is the run's label, id and card."""
    column: object          # matrix.Column (not imported: matrix imports this module)

    @property
    def run(self) -> Run:
        return self.column.run

    @property
    def scenarios(self) -> ScenarioRun:
        return self.column.run.scenarios

    @property
    def batches(self) -> list[ScenarioBatch]:
        return list(self.scenarios.batches.values())

    @property
    def divergences(self) -> list[ScenarioDivergence]:
        return self.scenarios.divergences

    def counts(self) -> dict:
        """run, agree, known, diverge: the totals line's, or added up from the test points
        when the log has none (a run cut short), and which it was."""
        totals = self.scenarios.totals
        if totals is not None:
            return {"run": totals.run, "agree": totals.agree, "known": totals.known, "diverge": totals.diverge,
                    "from": "totals"}
        batches = [b for b in self.batches if b.size is not None]
        return {"run": sum(b.size for b in batches), "agree": sum(b.agree for b in batches),
                "known": sum(b.known for b in batches), "diverge": sum(b.diverge for b in batches),
                "from": "test points"}

    def deviations(self) -> list[DeviationCount]:
        """The deviations the totals count, then any a test point names that they do not."""
        totals = self.scenarios.totals
        counted = dict(totals.deviations) if totals else {}
        named = [i for b in self.batches for i in b.deviation_ids]
        ids = list(dict.fromkeys([*counted, *named]))
        notes = self.run.deviation_notes
        return [DeviationCount(i, counted.get(i), notes.get(i)) for i in ids]

    def facts(self) -> list[tuple[str, str]]:
        """(name, value) pairs in display order, the same in Markdown, HTML and JUnit."""
        scenarios = self.scenarios
        facts = [("Log", self.column.source), ("Scenarios", range_text(scenarios))]
        if scenarios.first is not None:
            facts.append(("Rerun", f"scenarios={scenarios.first}-{scenarios.last} seed={scenarios.seed}"))
        facts.append(("Run", counts_text(self)))
        deviations = self.deviations()
        if deviations:
            facts.append(("Known deviations", deviations_text(deviations)))
        card = dict(self.column.facts())
        facts.append(("Results", card["Results"]))
        if scenarios.not_run:
            facts.append(("Not run", scenarios.not_run))
        if self.run.bail_out:
            facts.append(("Bail out", self.run.bail_out))
        facts += [("Status", card["Status"]), ("Exit", card["Exit"])]
        if self.column.warnings:
            facts.append(("Warnings", "; ".join(self.column.warnings)))
        return facts


def scenario_reports(columns: list) -> list[ScenarioReport]:
    return [ScenarioReport(column) for column in columns]


# --- the phrases every format reuses ------------------------------------------------------------

def range_text(scenarios: ScenarioRun) -> str:
    """"101-200 of seed 3, 100 to a test point", or why none ran."""
    if scenarios.skipped is not None:
        seed = f" (seed {scenarios.seed})" if scenarios.seed is not None else ""
        return f"none{seed}: skipped, random scenarios {scenarios.skipped}"
    if scenarios.first is None:
        return "range not in the log"
    per_point = f", {scenarios.per_test_point} to a test point" if scenarios.per_test_point else ""
    return f"{scenarios.first}-{scenarios.last} of seed {scenarios.seed}{per_point}"


def counts_text(report: ScenarioReport) -> str:
    """"100 of 100 planned: 59 agree with the SDM's model, 40 with known deviations, 1 diverge"."""
    counts = report.counts()
    planned = report.scenarios.planned
    of = f" of {planned} planned" if planned is not None else " scenarios"
    source = "" if counts["from"] == "totals" else " (added up from the test points: the log has no totals)"
    return (f"{counts['run']}{of}: {counts['agree']} agree with the SDM's model, {counts['known']} with known "
            f"deviations, {counts['diverge']} diverge{source}")


def deviations_text(deviations: list[DeviationCount]) -> str:
    return ", ".join(d.id if d.scenarios is None else f"{d.id} {d.scenarios}" for d in deviations)


def scenario_card_text(scenarios: ScenarioRun) -> str:
    """The run card's one line: the range and, from the totals, the counts."""
    text = range_text(scenarios)
    totals = scenarios.totals
    if totals is not None:
        text += (f"; {totals.run} run: {totals.agree} agree with the SDM's model, {totals.known} with known "
                 f"deviations, {totals.diverge} diverge")
    return text


def batch_range(batch: ScenarioBatch) -> str:
    return f"{batch.first}-{batch.last}" if batch.first is not None else "?"


def batch_name(batch: ScenarioBatch) -> str:
    """A test point's name in JUnit: "01 scenarios 101-200 (seed 3)"."""
    if batch.first is None:
        return f"{batch.number:02d} {batch.title}"
    return f"{batch.number:02d} scenarios {batch.first}-{batch.last} (seed {batch.seed})"


def rerun_option(divergence: ScenarioDivergence, scenarios: ScenarioRun) -> str | None:
    """The options that run this scenario alone: the kernel's own, or made from the seed."""
    if divergence.rerun:
        return divergence.rerun
    if divergence.scenario is None or scenarios.seed is None:
        return None
    return f"scenarios={divergence.scenario}-{divergence.scenario} seed={scenarios.seed}"


def step_text(divergence: ScenarioDivergence) -> str:
    """The YAML's "1 of 5, [H] wait(...)"; the comment only gives the number."""
    return divergence.step or "?"


def divergence_title(divergence: ScenarioDivergence) -> str:
    """"Scenario 150 diverges (test point 1)"."""
    scenario = divergence.scenario if divergence.scenario is not None else "?"
    where = f" (test point {divergence.test_point})" if divergence.test_point is not None else ""
    return f"Scenario {scenario} diverges{where}"


def divergence_facts(divergence: ScenarioDivergence, scenarios: ScenarioRun) -> list[tuple[str | None, str]]:
    """(name, value) for what a divergence says, the reproducers apart; the remark has no name
    (it says what it is: "the known ... deviations do not explain it: ...")."""
    facts: list[tuple[str | None, str]] = [("Step", step_text(divergence)), ("Expected", str(divergence.expected)),
                                           ("Observed", str(divergence.observed))]
    if divergence.remark:
        facts.append((None, divergence.remark))
    rerun = rerun_option(divergence, scenarios)
    if rerun:
        facts.append(("Alone", rerun))
    return facts


def fact_line(name: str | None, value: str) -> str:
    return f"{name}: {value}" if name else value


def reproducers(divergence: ScenarioDivergence) -> list[tuple[str, list[str]]]:
    """(heading, lines of C) for the scenario as drawn and the shortest found, those the log has."""
    found = [(divergence.drawn_heading, divergence.drawn), (divergence.shortest_heading, divergence.shortest)]
    return [(_capitalised(heading or "reproducer"), lines) for heading, lines in found if heading or lines]


def batch_details(batch: ScenarioBatch, scenarios: ScenarioRun) -> list[str]:
    """A test point in lines of text (JUnit's failure text and system-out): the directive,
    the batch's counts, each divergence with its reproducers, the notes."""
    lines = [f"TODO: {batch.directive}"] if batch.directive_kind == "TODO" and batch.directive else []
    lines.append(batch.title)
    for divergence in scenarios.divergences_of(batch.number):
        lines.append(divergence_title(divergence))
        lines += [f"  {fact_line(name, value)}" for name, value in divergence_facts(divergence, scenarios)]
        for heading, code in reproducers(divergence):
            lines.append(f"  {heading}")
            lines += [f"    {line}" for line in code]
    return lines + batch.notes


def failure_message(batch: ScenarioBatch, scenarios: ScenarioRun) -> str:
    divergences = scenarios.divergences_of(batch.number)
    if not divergences:
        return batch.title
    first = divergences[0]
    more = f" (and {len(divergences) - 1} more)" if len(divergences) > 1 else ""
    return (f"scenario {first.scenario} diverges at step {step_text(first)}: expected {first.expected}; "
            f"observed {first.observed}{more}")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
