"""The new log format (escaped "#", quoted YAML, "not run", the new SUMMARY, watchdog
timeouts, strict mode, unknown banner lines) and the logs the first report could not
read well: one experiment, a bail-out on a bad option, a random order with experiments
no run picked. The new-*.log samples are made by data/make_new_format.py."""
import contextlib
import io
import json
import os
import tempfile
import unittest

from support import CATALOGUE, NUMBERS, log_path, matrix_of, only_run, row, verdicts

from report_lib.cli import main
from report_lib.model import Verdict
from report_lib.parse import parse_result_line, parse_text


class EscapedDescriptions(unittest.TestCase):
    def test_escaped_hash_is_part_of_the_title(self):
        r = parse_result_line("ok", 31, "host only: H blocked; NMI@H at H's \\#GP entry (269 us)")
        self.assertEqual((r.verdict, r.title, r.elapsed_us, r.escaped), (Verdict.PASS,
                                                                         "host only: H blocked; NMI@H at H's #GP entry",
                                                                         269, True))

    def test_unescaped_hash_starts_the_directive(self):
        r = parse_result_line("not ok", 31, "t at H's \\#GP entry (15152 us) # TODO known QEMU TCG deviation: "
                                            "the NMI is not taken at the #GP handler")
        self.assertEqual((r.verdict, r.title, r.directive_kind), (Verdict.XFAIL, "t at H's #GP entry", "TODO"))
        self.assertEqual(r.directive, "known QEMU TCG deviation: the NMI is not taken at the #GP handler")

    def test_escaped_backslash(self):
        r = parse_result_line("ok", 38, "a \\\\ b \\#c # SKIP needs VMX")
        self.assertEqual((r.verdict, r.title, r.directive), (Verdict.SKIP, "a \\ b #c", "needs VMX"))

    def test_whole_real_log_in_the_new_format(self):
        old, new = only_run("bochs-amd64-known.log"), only_run("new-bochs-amd64.log")
        self.assertEqual(verdicts(new), verdicts(old))
        self.assertEqual(sorted(new.results), sorted(old.results))
        for number in new.results:   # the sample logs predate experiment 39
            self.assertEqual(new.results[number].title, CATALOGUE.experiments[number].title, number)
            self.assertEqual(old.results[number].title, CATALOGUE.experiments[number].title, number)
        self.assertTrue(new.new_format)
        self.assertEqual(new.warnings, [])


class QuotedYaml(unittest.TestCase):
    def test_values_are_unquoted(self):
        run = only_run("new-bochs-amd64.log")
        result = run.results[13]
        self.assertEqual(result.step, "6 of 8, [H] wait(H: NMI -> NMI@H)")
        self.assertEqual(result.observed, "timeout at 0x208de4 (after HLT)")
        self.assertEqual(result.rule, only_run("bochs-amd64-known.log").results[13].rule)

    def test_json_escapes_and_new_keys(self):
        raw = (b'TAP version 13\n1..1\nnot ok 4 - t (5 us)\n  ---\n  step: "1 of 2, [H] say \\"hi\\": \\\\ x"\n'
               b'  observed: "none"\n  sdm_derived: true\n  deviation: "known Bochs 2.7 deviation differs: it is '
               b'expected at step 5 (observed: none)"\n  ...\n')
        (run,) = parse_text(raw)
        result = run.results[4]
        self.assertEqual(result.step, '1 of 2, [H] say "hi": \\ x')
        self.assertTrue(result.sdm_derived_by_log)
        self.assertTrue(result.deviation.startswith("known Bochs 2.7 deviation differs"))
        self.assertEqual(result.verdict, Verdict.FAIL)

    def test_a_quoted_value_cut_off_by_the_end_of_the_log(self):
        (run,) = parse_text(b'TAP version 13\n1..1\nnot ok 4 - t (5 us)\n  ---\n  rule: "SDM 26.6')
        self.assertEqual(run.results[4].rule, "SDM 26.6")
        self.assertFalse(run.results[4].diagnostic_closed)


class Summaries(unittest.TestCase):
    def test_new_summary_with_deviations_that_did_not_show(self):
        run = only_run("new-kvm-mixed.log")
        s = run.summary
        self.assertEqual((s.tests, s.unexpected_failures, s.known_failures, s.skipped, s.did_not_show, s.strict),
                         (38, 3, 4, 0, 1, False))
        self.assertEqual(run.warnings, [])   # the counts read agree, the did-not-show one included

    def test_strict(self):
        run = only_run("new-strict.log")
        self.assertTrue(run.summary.strict)
        self.assertEqual(run.results[3].verdict, Verdict.FAIL)
        self.assertEqual(run.results[3].deviation, "known Bochs 2.7 deviation (strict: counted as a failure)")
        self.assertEqual(run.warnings, [])
        self.assertIn("(strict: known deviations count as failures)",
                      dict(matrix_of("new-strict.log").columns[0].facts())["Summary"])

    def test_a_summary_that_disagrees_is_reported(self):
        raw = (b"TAP version 13\n1..1\nok 7 - t (5 us)\n  # note: the known KVM deviation did not show (fixed?): x\n"
               b"SUMMARY: 1 tests, 0 unexpected failures, 0 known failures, 0 skipped, 0 known deviations did not "
               b"show\nEXIT: STATUS=0\n")
        (run,) = parse_text(raw)
        self.assertEqual(len(run.warnings), 1)
        self.assertIn("1 known deviations did not show) disagree", run.warnings[0])


class Verdicts(unittest.TestCase):
    def test_watchdog_timeout_is_timeout_in_both_formats(self):
        for name in ("bochs-watchdog.log", "new-watchdog.log"):
            run = only_run(name)
            self.assertEqual(run.results[1].verdict, Verdict.TIMEOUT, name)
            self.assertTrue(run.results[1].observed.startswith("no progress for 2100 ms"), name)
            self.assertFalse(run.complete)
            self.assertTrue(run.bail_out.startswith("the watchdog's INIT caused a second VM exit"))

    def test_exit_storm_is_a_failure(self):
        result = only_run("new-kvm-mixed.log").results[14]
        self.assertEqual(result.verdict, Verdict.FAIL)
        self.assertTrue(result.observed.startswith("exit storm: "))

    def test_reported_deviation_without_signature_is_a_known_failure(self):
        result = only_run("new-kvm-mixed.log").results[3]
        self.assertEqual(result.verdict, Verdict.XFAIL)
        self.assertTrue(result.directive.startswith("reported for QEMU/KVM (signature not confirmed)"))

    def test_measured_result_gets_a_note(self):
        matrix = matrix_of("new-kvm-mixed.log")
        cell = matrix.cell(row(matrix, 29), 0)
        self.assertEqual(cell.verdict, Verdict.PASS)
        self.assertIn("measured: 2 of 3 NMIs sent while H was blocked were lost (the SDM allows one pending)",
                      cell.footnote.lines)

    def test_not_run_in_random_order(self):
        for name, reason in (("new-random3.log", "not run: no run of the random order picked it"),
                             ("bochs-random3.log", None)):   # the old kernel printed "ok ... (0 runs: ...)"
            run = only_run(name)
            counts = {v: list(verdicts(run).values()).count(v) for v in ("NOT_RUN", "PASS", "XFAIL")}
            self.assertEqual(counts, {"NOT_RUN": 35, "PASS": 2, "XFAIL": 1}, name)
            self.assertEqual(run.results[1].directive, reason, name)
            self.assertEqual(run.warnings, [], name)   # each SUMMARY counts them its own way
            matrix = matrix_of(name)
            self.assertEqual(matrix.cell(row(matrix, 1), 0).text, "not run")

    def test_not_run_is_skipped_in_junit_and_not_run_in_json(self):
        with tempfile.TemporaryDirectory() as out:
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(main(["--out-dir", out, "--name", "r", log_path("new-random3.log")]), 0)
            report = json.load(open(os.path.join(out, "r.json"), encoding="utf-8"))
            junit = open(os.path.join(out, "r.junit.xml"), encoding="utf-8").read()
        first = report["runs"][0]["results"][0]
        self.assertEqual((first["verdict"], first["reported"], first["reason"]),
                         ("NOT_RUN", True, "not run: no run of the random order picked it"))
        self.assertEqual(junit.count('<skipped message="not run: no run of the random order picked it"'), 35)


class BannerFacts(unittest.TestCase):
    def test_unknown_banner_lines_are_kept(self):
        run = only_run("new-kvm-mixed.log")
        facts = run.banner.facts()
        self.assertEqual(facts["Microcode"], ["0x2006e05 (IA32_BIOS_SIGN_ID)"])
        self.assertEqual(facts["Experimenter"], ["CPU 1 (APIC ID 1)"])
        self.assertEqual(facts["Hypervisor"], ["KVM feature leaf 0x40000001 eax 0x01007afb"])
        shown = dict(matrix_of("new-kvm-mixed.log").columns[0].facts())
        self.assertEqual(shown["Microcode"], "0x2006e05 (IA32_BIOS_SIGN_ID)")

    def test_firmware_lines_before_the_banner_are_not_facts(self):
        raw = (b'BdsDxe: loading Boot0001 "UEFI QEMU DVD-ROM"\nnmi-lab 0.1.0 (git x), amd64 build\n'
               b"Microcode: 0x1\nCPU 1 (APIC ID 1) up: the experimenter\nTAP version 13\nLate: not a fact\n")
        (run,) = parse_text(raw)
        self.assertEqual(run.banner.lines, [("Microcode", "0x1")])


class WholeMatrixFromAnyLog(unittest.TestCase):
    def test_one_experiment_log_gives_every_title(self):
        for name in ("bochs-exp17.log", "new-exp17.log"):
            matrix = matrix_of(name)
            self.assertEqual([r.number for r in matrix.rows], NUMBERS)
            self.assertEqual([r.title for r in matrix.rows], [CATALOGUE.experiments[n].title for n in NUMBERS])
            self.assertEqual(matrix.cell(row(matrix, 17), 0).verdict, Verdict.XFAIL)
            self.assertEqual(matrix.cell(row(matrix, 1), 0).details, ("not selected in this run",))

    def test_bail_out_on_a_bad_option(self):
        for name in ("qemu-bad-option.log", "new-bad-option.log"):
            run = only_run(name)   # the first report refused this log
            self.assertFalse(run.complete)
            self.assertEqual(run.exit_status, 1)
            matrix = matrix_of(name)
            self.assertEqual([r.title for r in matrix.rows], [CATALOGUE.experiments[n].title for n in NUMBERS])
            facts = dict(matrix.columns[0].facts())
            self.assertEqual(facts["Status"], "incomplete run: Bail out! (before the TAP stream) bad command line: "
                             "unknown option 'colour'; valid options: exp, order, seed, iterations, verbose, "
                             "timeout, serial, baud, x2apic, reboot, vmcalls, break, hang, fault")
            self.assertEqual(facts["Exit"], "STATUS=1 (failures)")
            self.assertTrue(all(c.verdict == Verdict.NOT_RUN and c.details[0].startswith("not reached: Bail out!")
                                for c in matrix.cells.values()))

    def test_a_title_that_differs_from_the_catalogue_is_flagged(self):
        matrix = matrix_of("new-kvm-mixed.log")   # 38's title has a "\\" edited in
        self.assertEqual(row(matrix, 38).title, CATALOGUE.experiments[38].title)
        self.assertIn("the titles of experiments 38 differ from the catalogue's", "; ".join(matrix.columns[0].warnings))


class MergedNotes(unittest.TestCase):
    def test_amd64_and_i386_share_their_notes(self):
        matrix = matrix_of("bochs-amd64-known.log", "bochs-i386-known.log")
        note = matrix.cell(row(matrix, 3), 0).footnote
        self.assertIs(matrix.cell(row(matrix, 3), 1).footnote, note)
        self.assertIn("expected: NMI@G at 0x20af63 / 0x20c259 (after VMCALL)", note.lines)
        self.assertEqual(note.places_text(), "Bochs amd64 BIOS: 3; Bochs i386 BIOS: 3")
        # No note repeated for the other build: each one covers both columns.
        self.assertTrue(matrix.footnotes)
        self.assertTrue(all(list(n.places) == ["Bochs amd64 BIOS", "Bochs i386 BIOS"] for n in matrix.footnotes))


if __name__ == "__main__":
    unittest.main()
