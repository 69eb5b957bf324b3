"""Parsing real and damaged serial logs into runs and verdicts."""
import unittest

from support import log_path, only_run, verdicts

from report_lib.model import Verdict
from report_lib.parse import clean_lines, parse_result_line, parse_text, read_log

BOCHS_PASSES = {1, 2, 4, 5, 6, 8, 9, 12, 20, 22, 23, 25, 29, 31, 32, 33, 35, 36, 37, 38}
BOCHS_TIMEOUTS = {13, 14}
BOCHS_FAILS = set(range(1, 39)) - BOCHS_PASSES - BOCHS_TIMEOUTS
KVM_KNOWN = {3, 13, 14, 18, 19, 24}


def bochs_verdicts(numbers) -> dict:
    """What the real Bochs log says for these experiments."""
    def verdict(n):
        return "PASS" if n in BOCHS_PASSES else "TIMEOUT" if n in BOCHS_TIMEOUTS else "FAIL"
    return {n: verdict(n) for n in numbers}


class RealBochsLog(unittest.TestCase):
    def setUp(self):
        self.run = only_run("bochs-amd64.log")

    def test_every_verdict(self):
        self.assertEqual(verdicts(self.run), bochs_verdicts(range(1, 39)))
        self.assertEqual(len(BOCHS_FAILS), 16)

    def test_banner(self):
        b = self.run.banner
        self.assertEqual((b.version, b.git_rev, b.arch), ("0.1.0", "1dff8f8-dirty", "amd64"))
        self.assertEqual((b.firmware, b.multiboot, b.loader, b.command_line),
                         ("BIOS", "2", "GRUB 2.06-13+deb12u2", ""))
        self.assertEqual(b.cpu_brand, "Intel(R) Core(TM) i7-7800X CPU @ 3.50GHz")
        self.assertEqual(b.cpu_vendor, "GenuineIntel")
        self.assertEqual(b.platform, "Bochs")
        self.assertIsNone(b.hypervisor_signature)
        self.assertTrue(b.vmx_available)

    def test_summary_exit_and_completeness(self):
        self.assertTrue(self.run.complete)
        self.assertEqual(self.run.summary.text(),
                         "38 tests, 18 unexpected failures, 0 known failures, 0 skipped")
        self.assertEqual(self.run.exit_status, 1)
        self.assertEqual(self.run.plan, 38)
        self.assertEqual(self.run.warnings, [])

    def test_failure_diagnostic(self):
        result = self.run.results[3]
        self.assertEqual(result.step, "5 of 6, [G] after VM entry -> NMI@G")
        self.assertEqual(result.expected, "NMI@G at 0x207822 (after VMCALL)")
        self.assertEqual(result.observed, "none")
        self.assertTrue(result.rule.startswith("SDM 26.6.1"))
        self.assertEqual(result.elapsed_us, 267)

    def test_timeout_is_told_apart_from_failure(self):
        result = self.run.results[13]
        self.assertEqual(result.verdict, Verdict.TIMEOUT)
        self.assertEqual(result.observed, "timeout at 0x207803 (after HLT)")

    def test_notes_attach_to_their_experiment(self):
        self.assertEqual(len(self.run.results[5].notes), 1)
        self.assertTrue(self.run.results[5].notes[0].startswith("info: the NMI exit from HLT"))
        self.assertEqual(self.run.results[6].notes, [])

    def test_sdm_derived_rule_is_recognised(self):
        self.assertTrue(self.run.results[34].sdm_derived_by_log)
        self.assertFalse(self.run.results[3].sdm_derived_by_log)

    def test_every_banner_line_is_a_fact(self):
        facts = self.run.banner.facts()
        self.assertEqual(list(facts)[:7], ["Boot", "CPU", "Platform", "Timer", "CPUs", "BSP", "VMX"])
        self.assertEqual(facts["BSP"], ["APIC ID 0 (xAPIC)"])
        self.assertEqual(len(facts["VMX"]), 7)

    def test_selftests(self):
        self.assertEqual(len(self.run.selftests), 2)
        self.assertTrue(all(line.startswith("ok - ") for line in self.run.selftests))


class RealVerboseLog(unittest.TestCase):
    def test_trace_lines_do_not_disturb_the_verdicts(self):
        run = only_run("bochs-amd64-verbose.log")
        self.assertEqual(verdicts(run), {5: "PASS", 17: "FAIL"})
        self.assertEqual(run.results[17].observed, "none")   # the YAML's, not the trace's
        self.assertEqual(run.results[5].elapsed_us, 41713)
        self.assertEqual(run.banner.command_line, "exp=5,17 verbose")
        self.assertTrue(run.complete)
        self.assertEqual(run.warnings, [])


class RealQemuLog(unittest.TestCase):
    def setUp(self):
        self.run = only_run("qemu-amd64-bios.log")

    def test_skips_until_the_crash(self):
        self.assertEqual(verdicts(self.run), {n: "SKIP" for n in range(1, 29)})
        self.assertEqual(self.run.results[1].directive,
                         "needs VMX, which is not available (CPUID.1:ECX[5] = 0)")
        self.assertIsNone(self.run.results[1].elapsed_us)

    def test_fatal_trap_makes_the_run_incomplete(self):
        self.assertFalse(self.run.complete)
        self.assertIsNone(self.run.summary)
        self.assertEqual(self.run.exit_status, 1)
        self.assertEqual(self.run.fatal[0], "#UD invalid opcode in host on CPU 1 (APIC ID 1)")
        self.assertEqual(len(self.run.fatal), 4)   # the message and three lines of register dump

    def test_banner_of_a_hypervisor(self):
        b = self.run.banner
        self.assertEqual((b.platform, b.hypervisor_signature), ("QEMU TCG", "TCGTCGTCGTCG"))
        self.assertFalse(b.vmx_available)


class DamagedLogs(unittest.TestCase):
    def test_truncated_mid_yaml(self):
        run = only_run("truncated-mid-yaml.log")
        self.assertEqual(verdicts(run), bochs_verdicts(range(1, 15)))
        self.assertFalse(run.complete)
        self.assertIsNone(run.exit_status)
        cut = run.results[14]
        self.assertEqual(cut.verdict, Verdict.TIMEOUT)   # "observed" made it into the log
        self.assertEqual(cut.rule, "SDM 26.6")
        self.assertFalse(cut.diagnostic_closed)
        self.assertIn("the YAML diagnostic is cut off (the log ends inside it)", cut.notes)
        self.assertEqual(run.last_line, "rule: SDM 26.6")

    def test_crlf_and_escape_sequences(self):
        run = only_run("crlf-escape-heavy.log")
        self.assertEqual(verdicts(run), {5: "PASS", 17: "FAIL"})
        self.assertEqual(run.banner.platform, "Bochs")
        self.assertEqual(run.banner.cpu_brand, "Intel(R) Core(TM) i7-7800X CPU @ 3.50GHz")
        self.assertEqual(run.results[17].title, only_run("bochs-amd64-verbose.log").results[17].title)
        self.assertTrue(run.complete)
        self.assertEqual(run.warnings, [])

    def test_garbage_is_a_problem_not_a_run(self):
        runs, problem = read_log(log_path("garbage.bin"))
        self.assertEqual(runs, [])
        self.assertIn("no nmi-lab output in 4096 bytes", problem.message)

    def test_empty_file(self):
        runs, problem = read_log(log_path("empty.log"))
        self.assertEqual(runs, [])
        self.assertEqual(problem.message, "the log is empty")

    def test_missing_file(self):
        runs, problem = read_log(log_path("no-such.log"))
        self.assertEqual(runs, [])
        self.assertIn("cannot read the log", problem.message)

    def test_duplicated_grub_lines_and_known_deviations(self):
        run = only_run("kvm-amd64-uefi-dup-grub.log")
        expected = bochs_verdicts(range(1, 39))
        expected.update({n: "XFAIL" for n in KVM_KNOWN})
        self.assertEqual(verdicts(run), expected)
        self.assertEqual((run.banner.platform, run.banner.firmware), ("KVM", "UEFI"))
        self.assertEqual(run.results[3].directive,
                         "known QEMU/KVM deviation: reported for QEMU/KVM nested (2022-23)")
        self.assertEqual(run.results[13].observed, "timeout at 0x207803 (after HLT)")   # still XFAIL
        self.assertTrue(run.results[2].notes[0].startswith("note: the known QEMU/KVM deviation did not show"))
        self.assertEqual(run.warnings, [])   # the SUMMARY's 12 unexpected + 6 known agree

    def test_bail_out(self):
        run = only_run("bail-out.log")
        self.assertEqual(verdicts(run), bochs_verdicts(range(1, 14)))
        self.assertEqual(run.bail_out, "cannot restore the baseline after experiment 13")
        self.assertFalse(run.complete)
        self.assertEqual(run.exit_status, 1)
        self.assertIn("recovery: an NMI sent to the host did not arrive", run.comments)

    def test_random_order(self):
        run = only_run("random-order.log")
        expected = bochs_verdicts(range(1, 39))
        expected.update({n: "XFAIL" for n in KVM_KNOWN})
        expected[9] = "FAIL"   # 2 of 52 runs failed: an unexpected failure
        self.assertEqual(verdicts(run), expected)
        self.assertEqual((run.random_order.seed, run.random_order.runs, run.random_order.experiments),
                         (7, 2000, 38))
        self.assertEqual(run.results[9].random_tally, "52 runs: 50 passed, 2 failed")
        self.assertEqual(run.results[9].elapsed_us, 189)   # the mean
        self.assertEqual(run.results[9].title,
                         "(1,1,1,0): virtual-NMI blocking does not block real NMIs; they still exit")
        self.assertEqual(run.results[9].notes, ["inconsistent: the verdict depends on what ran before"])
        self.assertEqual(run.results[3].directive,
                         "known QEMU/KVM deviation: reported for QEMU/KVM nested (2022-23)")
        self.assertTrue(run.complete)
        self.assertEqual(run.warnings, [])

    def test_i386_build(self):
        run = only_run("bochs-i386.log")
        self.assertEqual(run.banner.arch, "i386")
        self.assertEqual(verdicts(run), bochs_verdicts(range(1, 39)))

    def test_two_boots_in_one_log(self):
        runs, problem = read_log(log_path("two-boots.log"))
        self.assertIsNone(problem)
        self.assertEqual([run.index_in_log for run in runs], [1, 2])
        first, second = runs
        self.assertEqual(verdicts(first), bochs_verdicts(range(1, 15)))
        self.assertFalse(first.complete)
        self.assertEqual(first.last_line, "rule: SDM 26.6")   # not the next boot's GRUB line
        self.assertEqual(verdicts(second), {5: "PASS", 17: "FAIL"})
        self.assertTrue(second.complete)
        self.assertEqual(second.banner.command_line, "exp=5,17 verbose")


class ResultLines(unittest.TestCase):
    def test_plain_pass(self):
        r = parse_result_line("ok", 1, "a title (149 us)")
        self.assertEqual((r.verdict, r.title, r.elapsed_us, r.directive), (Verdict.PASS, "a title", 149, None))

    def test_skip_has_no_timing(self):
        r = parse_result_line("ok", 2, "a title # SKIP needs VMX")
        self.assertEqual((r.verdict, r.title, r.elapsed_us, r.directive), (Verdict.SKIP, "a title", None, "needs VMX"))

    def test_todo_failure_is_xfail(self):
        r = parse_result_line("not ok", 3, "a title (10 us) # TODO known VMware deviation: x")
        self.assertEqual((r.verdict, r.elapsed_us, r.directive), (Verdict.XFAIL, 10, "known VMware deviation: x"))

    def test_todo_pass_stays_a_pass_with_a_note(self):
        r = parse_result_line("ok", 4, "a title (10 us) # TODO known deviation")
        self.assertEqual(r.verdict, Verdict.PASS)
        self.assertEqual(r.notes, ["passed although marked TODO: known deviation"])

    def test_kernel_remark_after_the_timing(self):
        r = parse_result_line("not ok", 9, "t (52 runs: 50 passed, 2 failed; mean 189 us) # inconsistent: x")
        self.assertEqual((r.verdict, r.title, r.elapsed_us, r.random_tally, r.directive, r.notes),
                         (Verdict.FAIL, "t", 189, "52 runs: 50 passed, 2 failed", None, ["inconsistent: x"]))

    def test_title_with_parentheses_and_hash(self):
        r = parse_result_line("not ok", 5, "(0,0,1,0) + #GP exiting: bit 12 = 1 (283 us)")
        self.assertEqual((r.verdict, r.title, r.elapsed_us), (Verdict.FAIL, "(0,0,1,0) + #GP exiting: bit 12 = 1", 283))


class Cleaning(unittest.TestCase):
    def test_escapes_control_characters_and_line_ends(self):
        raw = b"\x1b]0;title\x07\x1b[1;32mok\x1b[0m 1 - t (1 us)\x00\r\r\nnext\rline\n\x1b7x\x1b8"
        self.assertEqual(clean_lines(raw), ["ok 1 - t (1 us)", "", "next", "line", "x"])

    def test_invalid_utf8_does_not_stop_parsing(self):
        raw = b"\xff\xfe\x80garbage\r\nTAP version 13\r\n1..1\r\nok 7 - t (5 us)\r\n"
        (run,) = parse_text(raw)
        self.assertEqual(verdicts(run), {7: "PASS"})
        self.assertFalse(run.complete)

    def test_repeated_result_keeps_the_later_line_and_warns(self):
        raw = b"TAP version 13\n1..1\nnot ok 7 - t (5 us)\nok 7 - t (6 us)\nSUMMARY: 1 tests, 0 unexpected " \
              b"failures, 0 known failures, 0 skipped\nEXIT: STATUS=0\n"
        (run,) = parse_text(raw)
        self.assertEqual(verdicts(run), {7: "PASS"})
        self.assertEqual(run.warnings, ["experiment 7 is reported twice; the later line counts"])

    def test_banner_lines_after_the_tap_stream_start_a_new_run(self):
        raw = b"Platform: Bochs\nTAP version 13\n1..1\nok 7 - t (5 us)\nPlatform: KVM\nTAP version 13\n"
        first, second = parse_text(raw)
        self.assertEqual((first.banner.platform, second.banner.platform), ("Bochs", "KVM"))
        self.assertEqual(verdicts(first), {7: "PASS"})

    def test_summary_disagreeing_with_results_is_reported(self):
        raw = b"TAP version 13\n1..1\nok 7 - t (5 us)\nSUMMARY: 1 tests, 1 unexpected failures, " \
              b"0 known failures, 0 skipped\nEXIT: STATUS=1\n"
        (run,) = parse_text(raw)
        self.assertEqual(len(run.warnings), 1)
        self.assertIn("disagree with the log's SUMMARY", run.warnings[0])


if __name__ == "__main__":
    unittest.main()
