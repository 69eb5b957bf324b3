"""Random-scenario runs (scenarios=, seed=): their test points are batches of scenarios, not
catalogue experiments. The logs are real captures (tests/emulator_checks.py
bochs-amd64-scenarios and the others): a clean run per build, a divergence forced with
break=150, a watchdog bail-out in the middle of a batch, and QEMU without VMX."""
import contextlib
import io
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from support import CATALOGUE, DATA, NUMBERS, log_path, matrix_of, only_run

from report_lib import grammar
from report_lib.cli import main
from report_lib.matrix import build_matrix
from report_lib.parse import parse_text, tap_counts
from report_lib.render_html import render_html
from report_lib.render_json import render_json
from report_lib.render_junit import render_junit
from report_lib.render_markdown import render_markdown
from report_lib.scenarios import rerun_option
from report_lib.tap import extract_tap
from test_outputs import _HtmlCollector

CLEAN, I386, BREAK, WATCHDOG, NO_VMX = ("bochs-amd64-scenarios.log", "bochs-i386-scenarios.log",
                                        "bochs-amd64-scenario-break.log", "bochs-amd64-scenario-watchdog.log",
                                        "qemu-scenarios.log")
SCENARIO_LOGS = [CLEAN, I386, BREAK, WATCHDOG, NO_VMX]
CATALOGUE_LOG = "new-bochs-amd64.log"   # a catalogue run beside them: the matrix's only column

# What break=150 printed: the scenario as drawn and the shortest that still diverges.
DRAWN_150 = ["H(WAIT(SENDS(INTR), EXPECT(INTR_H))),", "H(SET(0, 0, 0, 0)),", "G(IRET(EXPECT_NONE())),",
             "H(WAIT(SENDS(INTR), EXPECT(INTR_H))),", "H(EXC_EXITING(VEC_NP, 1)),"]
SHORTEST_150 = ["H(WAIT(SENDS(INTR), EXPECT(INTR_H))),"]
CLEAN_DEVIATIONS = {"entry-keeps-nmi-blocking": 84, "injected-nmi-blocks": 20, "nmi-exit-saves-blocking": 7,
                    "hlt-exit-saves-active": 19, "no-virtual-nmi-injection-check": 3, "hlt-holds-interrupt-window": 1}


def batch_counts(run) -> list[tuple]:
    return [(b.number, b.first, b.last, b.seed, b.agree, b.known, b.diverge, b.verdict.value)
            for b in run.scenarios.batches.values()]


class Grammar(unittest.TestCase):
    def test_plan_comment_and_skipped_plan(self):
        m = grammar.SCENARIO_PLAN.match("random scenarios 101-200 of seed 3, 100 to a test point")
        self.assertEqual((m["first"], m["last"], m["seed"], m["per_point"]), ("101", "200", "3", "100"))
        self.assertIsNone(grammar.SCENARIO_PLAN.match("random order: seed 7, 300 runs over 38 experiments"))
        directive = grammar.PLAN.match("1..0 # SKIP random scenarios needs VMX, which is not available (x)")
        directive = directive["directive"]
        self.assertEqual(grammar.SCENARIO_SKIP.match(directive)["reason"], "needs VMX, which is not available (x)")

    def test_batch_titles_with_and_without_counts(self):
        full = grammar.SCENARIO_BATCH.match("scenarios 101-200 (seed 3): 59 agree with the SDM's model, 40 with "
                                            "Bochs 2.7's known deviations, 1 diverge")
        self.assertEqual((full["agree"], full["known"], full["platform"], full["diverge"]),
                         ("59", "40", "Bochs 2.7", "1"))
        bare = grammar.SCENARIO_BATCH.match("scenarios 1-3 (seed 1): 2 agree with the SDM's model, 1 diverge")
        self.assertEqual((bare["known"], bare["diverge"]), (None, "1"))
        self.assertIsNone(grammar.SCENARIO_BATCH.match("(1,0,0,0): an NMI in G causes a VM exit"))

    def test_divergence_totals_and_reproducers(self):
        m = grammar.SCENARIO_DIVERGES.match("scenario 150 diverges at step 1 (alone: scenarios=150-150 seed=3): "
                                            "expected timeout at 0x21a877 (the VMCALL), INTR@H; observed INTR@H")
        self.assertEqual((m["scenario"], m["step"], m["rerun"], m["observed"]),
                         ("150", "1", "scenarios=150-150 seed=3", "INTR@H"))
        self.assertEqual(m["expected"], "timeout at 0x21a877 (the VMCALL), INTR@H")
        totals = grammar.SCENARIO_TOTALS.match("scenarios: 3 run (seed 1): 2 agree with the SDM's model, 0 with known "
                                               "deviations, 1 diverge")
        self.assertEqual((totals["run"], totals["counts"], totals["diverge"]), ("3", None, "1"))
        self.assertTrue(grammar.SCENARIO_SHORTEST.match("the shortest scenario found that still diverges (9 steps, "
                                                        "1 runs to find it), ready for experiments/catalogue.c:"))
        self.assertTrue(grammar.SCENARIO_DRAWN.match("scenario 3 (seed 1), as drawn; each EXPECT is the SDM model's:"))
        self.assertEqual(grammar.SCENARIO_CODE.match("  H(SET(1, 0, 0, 0)),")["code"], "H(SET(1, 0, 0, 0)),")
        self.assertEqual(grammar.SCENARIOS_NOT_RUN.match("2 scenarios not run: the run bailed out")["count"], "2")


class Parsing(unittest.TestCase):
    def test_clean_runs_are_batches_not_experiments(self):
        run = only_run(CLEAN)
        self.assertEqual(run.results, {})   # nothing posing as experiments 1-3
        s = run.scenarios
        self.assertEqual((s.first, s.last, s.seed, s.per_test_point, s.planned, s.platform_name),
                         (1, 300, 1, 100, 300, "Bochs 2.7"))
        self.assertEqual(batch_counts(run), [(1, 1, 100, 1, 67, 33, 0, "XFAIL"), (2, 101, 200, 1, 62, 38, 0, "XFAIL"),
                                             (3, 201, 300, 1, 66, 34, 0, "XFAIL")])
        self.assertEqual(s.batches[3].deviation_ids, ["entry-keeps-nmi-blocking", "injected-nmi-blocks",
                                                      "hlt-exit-saves-active", "no-virtual-nmi-injection-check"])
        t = s.totals
        self.assertEqual((t.run, t.seed, t.agree, t.known, t.diverge), (300, 1, 195, 105, 0))
        self.assertEqual(t.deviations, CLEAN_DEVIATIONS)
        self.assertEqual(s.divergences, [])
        self.assertEqual(tap_counts(run), (3, 0, 3, 0, 0))
        self.assertEqual(run.warnings, [])   # the counts agree with SUMMARY, the batches with the totals
        i386 = only_run(I386)
        self.assertEqual([(b[1], b[2], b[3]) for b in batch_counts(i386)], [(301, 400, 2), (401, 500, 2)])
        self.assertEqual(i386.banner.arch, "i386")

    def test_the_divergence_and_its_reproducers(self):
        run = only_run(BREAK)
        self.assertEqual(batch_counts(run), [(1, 101, 200, 3, 59, 40, 1, "FAIL")])
        (d,) = run.scenarios.divergences
        self.assertEqual((d.scenario, d.test_point, d.rerun), (150, 1, "scenarios=150-150 seed=3"))
        self.assertEqual(d.step, "1 of 5, [H] wait(H: INTR -> none)")   # the YAML's, in words
        self.assertEqual(d.expected, "timeout at 0x21a877 (the VMCALL), INTR@H at 0x218698 (after HLT)")
        self.assertEqual(d.observed, "INTR@H at 0x218698 (after HLT)")
        self.assertTrue(d.remark.startswith("the known Bochs 2.7 deviations do not explain it: with them"))
        self.assertEqual(d.drawn_heading, "scenario 150 (seed 3), as drawn; each EXPECT is the SDM model's:")
        self.assertEqual((d.drawn, d.shortest), (DRAWN_150, SHORTEST_150))
        self.assertEqual(run.scenarios.batches[1].notes,
                         ["break=150: the model's first prediction was deliberately wrong (test only)"])
        self.assertEqual(run.scenarios.totals.deviations, {"entry-keeps-nmi-blocking": 32, "injected-nmi-blocks": 10,
                                                           "nmi-exit-saves-blocking": 2, "hlt-exit-saves-active": 1})
        self.assertEqual(tap_counts(run), (1, 1, 0, 0, 0))
        self.assertEqual(run.warnings, [])

    def test_a_bail_out_in_the_middle_of_a_batch(self):
        run = only_run(WATCHDOG)
        self.assertEqual(batch_counts(run), [(1, 1, 3, 1, 2, 0, 1, "TIMEOUT")])   # the watchdog ended it
        (d,) = run.scenarios.divergences
        self.assertEqual((d.scenario, d.rerun, d.expected), (3, "scenarios=3-3 seed=1", "the step to finish"))
        self.assertTrue(d.observed.startswith("no progress for 2100 ms"))
        self.assertEqual((len(d.drawn), len(d.shortest)), (9, 9))
        self.assertEqual(d.shortest[0], "G(FIRET(EXPECT_NONE())),")
        self.assertEqual(run.scenarios.not_run, "2 scenarios not run: the run bailed out")
        self.assertTrue(run.bail_out.startswith("the watchdog's INIT caused a second VM exit"))
        self.assertEqual(run.warnings, [])

    def test_no_vmx_skips_the_whole_run(self):
        run = only_run(NO_VMX)
        s = run.scenarios
        self.assertEqual(s.skipped, "needs VMX, which is not available (CPUID.1:ECX[5] = 0)")
        self.assertEqual((run.plan, s.batches, s.seed, s.first), (0, {}, 1, None))
        self.assertEqual(run.warnings, [])

    def test_totals_that_disagree_with_the_batches_are_reported(self):
        raw = (DATA / CLEAN).read_bytes().replace(b"300 run (seed 1): 195 agree", b"300 run (seed 1): 194 agree")
        (run,) = parse_text(raw)
        self.assertEqual(run.warnings, ["the test points add up to 300 scenarios (195 agree, 105 known, 0 diverge) "
                                        "but the totals say 300 (194 agree, 105 known, 0 diverge)"])
        raw = (DATA / BREAK).read_bytes().replace(b"40 with Bochs 2.7's known deviations, 1 diverge",
                                                  b"39 with Bochs 2.7's known deviations, 2 diverge")
        (run,) = parse_text(raw)
        self.assertIn("test point 1 counts 2 diverging scenarios but the log names 1", run.warnings)

    def test_a_divergence_whose_comment_was_lost_comes_from_the_yaml(self):
        raw = (DATA / BREAK).read_bytes().replace(b"# scenario 150 diverges", b"# scenario 150 differs")
        (run,) = parse_text(raw)
        (d,) = run.scenarios.divergences
        self.assertEqual((d.scenario, d.step, d.rerun, d.drawn), (150, "1 of 5, [H] wait(H: INTR -> none)", None,
                                                                  DRAWN_150))
        self.assertEqual(run.warnings, [])
        section = dict(matrix_of(BREAK).scenario_runs[0].facts())
        self.assertEqual(section["Rerun"], "scenarios=101-200 seed=3")
        self.assertEqual(rerun_option(d, run.scenarios), "scenarios=150-150 seed=3")   # made from the seed

    def test_every_prefix_parses_and_renders(self):
        full = (DATA / BREAK).read_bytes()
        for cut in [i for i, byte in enumerate(full) if byte == ord("\n")]:
            runs = parse_text(full[:cut], "cut.log")
            matrix = build_matrix(runs, [], CATALOGUE)
            json.loads(render_json(matrix))
            ET.fromstring(render_junit(matrix).split("\n", 1)[1])
            render_html(matrix, "t")
            render_markdown(matrix, "t")
            self.assertEqual(matrix.columns, [] if b"# random scenarios" in full[:cut] else matrix.columns, cut)


class NotInTheMatrix(unittest.TestCase):
    def test_scenario_runs_have_no_column_and_add_no_row(self):
        matrix = matrix_of(CATALOGUE_LOG, *SCENARIO_LOGS)
        self.assertEqual([c.run.log_name for c in matrix.columns], [CATALOGUE_LOG])
        self.assertEqual([r.column.run.log_name for r in matrix.scenario_runs], SCENARIO_LOGS)
        self.assertEqual([row.number for row in matrix.rows], NUMBERS)
        self.assertEqual({index for _, index in matrix.cells}, {0})
        # Labelled with the catalogue run: the same platform and build say which log they are.
        self.assertEqual([r.column.label for r in matrix.scenario_runs][:2],
                         ["Bochs amd64 BIOS (bochs-amd64-scenarios.log)", "Bochs i386 BIOS"])
        self.assertEqual(matrix.columns[0].label, "Bochs amd64 BIOS (new-bochs-amd64.log)")
        self.assertEqual(len(matrix.run_columns()), 1 + len(SCENARIO_LOGS))   # every run has its card

    def test_without_a_catalogue_no_batch_becomes_a_row(self):
        runs = [only_run(name) for name in SCENARIO_LOGS]
        matrix = build_matrix(runs, [], None)
        self.assertEqual((matrix.rows, matrix.columns, matrix.cells), ([], [], {}))

    def test_the_card_counts_test_points(self):
        facts = dict(matrix_of(CLEAN).scenario_runs[0].column.facts())
        self.assertEqual(facts["Results"], "3 test points reported of 3 planned: 3 XFAIL")
        self.assertEqual(facts["Scenarios"], "1-300 of seed 1, 100 to a test point; 300 run: 195 agree with the "
                                             "SDM's model, 105 with known deviations, 0 diverge")


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            cls.status = main(["--out-dir", cls.tmp.name, "--name", "s", log_path(CATALOGUE_LOG),
                               *map(log_path, SCENARIO_LOGS)])
        cls.stderr = err.getvalue()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read(self, suffix):
        with open(os.path.join(self.tmp.name, "s" + suffix), encoding="utf-8") as f:
            return f.read()

    def test_status_and_no_warnings(self):
        self.assertEqual((self.status, self.stderr), (0, ""))

    def test_markdown_section(self):
        md = self.read(".md")
        table = [line for line in md.splitlines() if line.startswith("| [")]
        self.assertEqual(len(table), len(NUMBERS))
        self.assertTrue(all(line.count(" | ") == 1 + 3 for line in table))   # one run column, not six
        section = md[md.index("## Random scenarios"):md.index("## Notation")]
        self.assertLess(md.index("## Results"), md.index("## Random scenarios"))
        for text in ("### Bochs amd64 BIOS (bochs-amd64-scenario-break.log)",
                     "- Scenarios: 101-200 of seed 3, 100 to a test point",
                     "- Rerun: `scenarios=101-200 seed=3`",
                     "- Run: 100 of 100 planned: 59 agree with the SDM's model, 40 with known deviations, 1 diverge",
                     "| 1 | 101-200 | 59 | 40 | 1 | **FAIL** |",
                     "| 3 | 201-300 | 66 | 34 | 0 | **XFAIL** |",
                     "| 1 | 1-3 | 2 | 0 | 1 | **TIMEOUT** |",
                     "- `entry-keeps-nmi-blocking` (84): VM entry never unblocks NMIs",
                     "#### Scenario 150 diverges (test point 1)",
                     "- Step: 1 of 5, [H] wait(H: INTR -> none)",
                     "- Observed: INTR@H at 0x218698 (after HLT)",
                     "- Alone: `scenarios=150-150 seed=3`",
                     "```c\n" + "\n".join(DRAWN_150) + "\n```",
                     "ready for experiments/catalogue.c:\n\n```c\n" + "\n".join(SHORTEST_150) + "\n```",
                     "- Not run: 2 scenarios not run: the run bailed out",
                     "- Scenarios: none (seed 1): skipped, random scenarios needs VMX"):
            self.assertIn(text, section)
        self.assertEqual(section.count("\n#### "), 2)   # a divergence each in break and watchdog
        self.assertIn("### Bochs i386 BIOS\n", md[md.index("## Runs"):])   # and a card each

    def test_html_section(self):
        html = self.read(".html")
        collector = _HtmlCollector()
        collector.feed(html)
        self.assertEqual((collector.errors, collector.stack), ([], []))
        matrix_cells = [cell for cell in collector.cells if cell[1].startswith("Bochs amd64 BIOS (new-")]
        self.assertEqual(len(matrix_cells), len(NUMBERS))
        self.assertEqual(len(collector.cells), len(NUMBERS) + 3 + 2 + 1 + 1)   # and one per test point
        self.assertIn('<pre class="code">' + "\n".join(DRAWN_150) + "</pre>", html)
        self.assertIn("<dt>Alone</dt><dd><code>scenarios=150-150 seed=3</code></dd>", html)
        for n in range(2, 7):   # each scenario section links to its card
            self.assertIn(f'id="scenarios-run-{n}"><h3><a href="#run-{n}">', html)
            self.assertIn(f'id="run-{n}"', html)

    def test_json_scenario_runs(self):
        report = json.loads(self.read(".json"))
        self.assertEqual([run["log_name"] for run in report["runs"]], [CATALOGUE_LOG])
        runs = {run["log_name"]: run for run in report["scenario_runs"]}
        self.assertEqual(list(runs), SCENARIO_LOGS)
        self.assertNotIn("results", runs[BREAK])
        s = runs[BREAK]["scenarios"]
        self.assertEqual((s["first"], s["last"], s["seed"], s["run"], s["agree"], s["known"], s["diverge"],
                          s["counts_from"]), (101, 200, 3, 100, 59, 40, 1, "totals"))
        (divergence,) = s["divergences"]
        self.assertEqual((divergence["scenario"], divergence["test_point"], divergence["rerun"]),
                         (150, 1, "scenarios=150-150 seed=3"))
        self.assertEqual((divergence["drawn"]["lines"], divergence["shortest"]["lines"]), (DRAWN_150, SHORTEST_150))
        self.assertEqual(s["test_points"][0]["verdict"], "FAIL")
        clean = runs[CLEAN]["scenarios"]
        self.assertEqual({d["id"]: d["scenarios"] for d in clean["known_deviations"]}, CLEAN_DEVIATIONS)
        self.assertTrue(all(d["note"] for d in clean["known_deviations"]))
        self.assertEqual([p["verdict"] for p in clean["test_points"]], ["XFAIL"] * 3)
        self.assertEqual(runs[NO_VMX]["scenarios"]["skipped"], "needs VMX, which is not available (CPUID.1:ECX[5] = 0)")
        self.assertEqual(runs[WATCHDOG]["scenarios"]["test_points"][0]["verdict"], "TIMEOUT")

    def test_junit_one_testcase_per_batch(self):
        root = ET.fromstring(self.read(".junit.xml").split("\n", 1)[1])
        suites = {suite.get("id").split("#")[0]: suite for suite in root.findall("testsuite")}
        self.assertEqual(len(suites), 6)
        counts = {name: len(suites[name].findall("testcase")) for name in SCENARIO_LOGS}
        self.assertEqual(counts, {CLEAN: 3, I386: 2, BREAK: 1, WATCHDOG: 1, NO_VMX: 0})
        clean = suites[CLEAN].findall("testcase")
        self.assertEqual([case.get("name") for case in clean], ["01 scenarios 1-100 (seed 1)",
                                                                "02 scenarios 101-200 (seed 1)",
                                                                "03 scenarios 201-300 (seed 1)"])
        self.assertTrue(all(case.find("failure") is None and case.find("system-out").text.startswith(
            "known failure (XFAIL)\nTODO: known Bochs 2.7 deviation [") for case in clean))
        self.assertEqual(suites[CLEAN].get("failures"), "0")
        failure = suites[BREAK].find("testcase/failure")
        self.assertEqual(failure.get("type"), "FAIL")
        self.assertTrue(failure.get("message").startswith("scenario 150 diverges at step 1 of 5, [H] wait("))
        self.assertIn("Alone: scenarios=150-150 seed=3", failure.text)
        self.assertIn("    " + DRAWN_150[2], failure.text)
        self.assertEqual(suites[WATCHDOG].find("testcase/failure").get("type"), "TIMEOUT")
        self.assertEqual(root.get("failures"), str(int(suites[CATALOGUE_LOG].get("failures")) + 2))


class TapOfAScenarioRun(unittest.TestCase):
    def test_reproducers_and_totals_stay_in_the_tap(self):
        tap = extract_tap((DATA / BREAK).read_bytes())
        self.assertIn("\n# random scenarios 101-200 of seed 3, 100 to a test point\n1..1\n", tap)
        self.assertIn("\n  #   H(EXC_EXITING(VEC_NP, 1)),\n", tap)
        self.assertIn("\n# scenarios: 100 run (seed 3): ", tap)
        self.assertIn("\n1..0 # SKIP random scenarios needs VMX", extract_tap((DATA / NO_VMX).read_bytes()))


if __name__ == "__main__":
    unittest.main()
