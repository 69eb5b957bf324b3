"""The log's line grammar (report_lib/grammar.py): result lines split as every reader
needs them, and the shorter format issue 17 announces accepted without changing a verdict."""
import unittest

from support import CATALOGUE, DATA, log_path, only_run, verdicts

from report_lib import grammar
from report_lib.matrix import build_matrix
from report_lib.parse import parse_text
from report_lib.tap import extract_tap


class ResultLines(unittest.TestCase):
    def test_new_format_with_escapes_and_a_known_deviation(self):
        r = grammar.read_result("not ok 31 - t at H's \\#GP entry (15152 us) # TODO known QEMU TCG deviation: x")
        self.assertEqual((r.ok, r.number, r.title, r.elapsed_us, r.tally),
                         (False, 31, "t at H's #GP entry", 15152, None))
        self.assertEqual((r.directive_kind, r.directive, r.escaped), ("TODO", "known QEMU TCG deviation: x", True))
        self.assertEqual(r.table_verdict(), "known")

    def test_old_format_title_with_a_hash(self):
        r = grammar.read_result("ok 5 - (0,0,1,0) + #GP exiting: bit 12 = 1 (283 us)")
        self.assertEqual((r.title, r.elapsed_us, r.directive_kind, r.escaped),
                         ("(0,0,1,0) + #GP exiting: bit 12 = 1", 283, None, False))
        self.assertEqual(r.table_verdict(), "pass")

    def test_skip_and_passed_todo(self):
        skip = grammar.read_result("ok 68 - t # SKIP this CPU lacks the monitor trap flag")
        self.assertEqual((skip.elapsed_us, skip.directive_kind, skip.table_verdict()), (None, "SKIP", "skip"))
        self.assertEqual(grammar.read_result("ok 3 - t (5 us) # TODO known X deviation: y").table_verdict(), "pass")
        self.assertEqual(grammar.read_result("not ok 4 - t (5 us)").table_verdict(), "fail")

    def test_random_order_tally(self):
        r = grammar.read_result("not ok 9 - t (52 runs: 50 passed, 2 failed; mean 189 us) # inconsistent: x")
        self.assertEqual((r.elapsed_us, r.tally, r.tally_counts()), (189, "52 runs: 50 passed, 2 failed", (52, 50, 2)))
        self.assertEqual((r.trailer, r.directive_kind), ("inconsistent: x", None))
        self.assertTrue(grammar.read_result("ok 7 - t (0 runs: 0 passed, 0 failed; mean 0 us)").never_run)
        self.assertIsNone(grammar.read_result("ok 1 - t (5 us)").tally_counts())

    def test_not_result_lines(self):
        for line in ("okay 1 - t", "  ok 1 - t", "# ok 1 - t", "ok - t", "1..38", "not ok"):
            self.assertIsNone(grammar.read_result(line), line)
        # TAP consumers take an unnumbered "ok" for a test line all the same: log2tap keeps it.
        self.assertTrue(grammar.TAP_RESULT.match("ok"))


class KernelLines(unittest.TestCase):
    def test_timer_frequency(self):
        self.assertEqual(grammar.TIMER.match("Timer: TSC 3500000 kHz, LAPIC timer 1000 kHz")["tsc_khz"], "3500000")
        self.assertIsNone(grammar.TIMER.match("Timer: not calibrated")["tsc_khz"])

    def test_plan_with_a_directive_is_tap_but_not_the_kernels(self):
        self.assertIsNone(grammar.PLAN.match("1..74")["directive"])
        self.assertEqual(grammar.PLAN.match("1..0 # SKIP no VMX")["directive"], " SKIP no VMX")

    def test_ending_lines_are_not_banner_facts(self):
        for line in ("SUMMARY: 1 tests", "EXIT: STATUS=0", "FATAL: #UD"):
            self.assertTrue(grammar.ENDING_LINE.match(line))
            self.assertIn(grammar.BANNER_KEY.match(line)["key"], grammar.ENDING_KEYS)

    def test_deviation_did_not_show_note(self):
        self.assertTrue(grammar.DID_NOT_SHOW_NOTE.match("note: the known Bochs 2.7 deviation did not show (fixed?): x"))
        self.assertFalse(grammar.DID_NOT_SHOW_NOTE.match("measured: 2 of 3 NMIs"))


# --- the shorter format (issue 17): what the kernel will print once the lead wires it ----------

def shorter_format(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """new-kvm-mixed.log as the shorter format will say it: each directive names its
    deviation by id, the notes come once before SUMMARY, the deviations that did not show
    on one line (only experiment 2's), and the banner names the catalogue."""
    out, notes = [], {}
    for line in lines:
        if line.startswith("  # note: the known "):
            continue
        if " # TODO " in line:
            result, directive = line.split(" # TODO ", 1)
            what, note = directive.split(": ", 1)
            deviation_id = f"kvm-{len(notes) + 1}"
            notes[deviation_id] = note
            line = f"{result} # TODO {what} [{deviation_id}]"
        if line.startswith("SUMMARY: "):
            out += [f"# deviation {key}: {note} (evidence: a test note)" for key, note in notes.items()]
            out.append("# note: known QEMU/KVM deviations that did not show (fixed?): 2")
        out.append(line)
        if line.startswith("Platform: "):
            out.append("Catalogue: vmx")
    return out, notes


class ShorterFormat(unittest.TestCase):
    def setUp(self):
        self.lines, self.notes = shorter_format((DATA / "new-kvm-mixed.log").read_bytes().decode().split("\r\n"))
        self.raw = "\r\n".join(self.lines).encode()

    def test_the_grammar_reads_the_new_lines(self):
        self.assertEqual(grammar.DEVIATION_ID.search("known QEMU/KVM deviation [kvm-2]")["ids"], "kvm-2")
        self.assertEqual(grammar.DEVIATION_ID.search("known Bochs 2.7 deviation [a-b, c-d]")["ids"], "a-b, c-d")
        kernel = grammar.DEVIATION_NOTE.match("deviation entry-keeps-nmi-blocking (Bochs 2.7): VM entry never unblocks")
        self.assertEqual((kernel["id"], kernel["platform"], kernel["note"]),
                         ("entry-keeps-nmi-blocking", "Bochs 2.7", "VM entry never unblocks"))
        note = grammar.DEVIATION_NOTE.match("deviation kvm-2: reported for QEMU/KVM nested (evidence: a test note)")
        self.assertEqual((note["id"], note["note"], note["evidence"]), ("kvm-2", "reported for QEMU/KVM nested",
                                                                        "a test note"))
        listed = grammar.DID_NOT_SHOW_LIST.match("note: known Bochs 2.7 deviations that did not show (fixed?): 3 7 10")
        self.assertEqual((listed["platform"], listed["numbers"].split()), ("Bochs 2.7", ["3", "7", "10"]))
        self.assertEqual(grammar.CATALOGUE.match("Catalogue: svm")["name"], "svm")

    def test_same_verdicts_and_the_new_lines_kept(self):
        # The notes named by id spell the directive out; the did-not-show list marks its
        # experiments; the catalogue line is a banner fact and the run's catalogue.
        (run,) = parse_text(self.raw)
        self.assertEqual(verdicts(run), verdicts(only_run("new-kvm-mixed.log")))
        self.assertEqual(len(self.notes), 4)
        self.assertEqual(run.results[18].directive,
                         "known QEMU/KVM deviation [kvm-2]: reported for QEMU/KVM nested (2022-23)")
        self.assertTrue(run.results[2].deviation_did_not_show)
        self.assertEqual(run.catalogue, "vmx")
        self.assertIn(("Catalogue", "vmx"), run.banner.lines)
        self.assertIn("note: known QEMU/KVM deviations that did not show (fixed?): 2", run.comments)
        self.assertIn("deviation kvm-2: reported for QEMU/KVM nested (2022-23) (evidence: a test note)", run.comments)
        tap = extract_tap(self.raw)
        self.assertIn("\n# Catalogue: vmx\n", tap)
        self.assertIn("\n# deviation kvm-1: ", tap)
        self.assertIn("\n# note: known QEMU/KVM deviations that did not show (fixed?): 2\n", tap)

    def test_svm_numbers_from_101(self):
        raw = (b"nmi-lab 0.2.0 (git 0000000), amd64 build\nCatalogue: svm\nTAP version 13\n"
               b"ok 101 - an SVM experiment (5 us)\n"
               b"not ok 102 - another (6 us) # TODO known Bochs 2.7 deviation [bochs-svm-1]\n")
        (run,) = parse_text(raw, log_path("svm.log"))
        self.assertEqual(verdicts(run), {101: "PASS", 102: "XFAIL"})
        self.assertEqual(run.catalogue, "svm")
        matrix = build_matrix([run], [], CATALOGUE)
        # The rows are the SVM catalogue's: the run used it, and nothing of it is unknown.
        svm = [n for n, e in CATALOGUE.experiments.items() if e.catalogue == "svm"]
        self.assertEqual([row.number for row in matrix.rows], svm)
        self.assertEqual(svm[:2], [101, 102])
        self.assertFalse(any("not in the catalogue" in w for w in matrix.columns[0].warnings))


if __name__ == "__main__":
    unittest.main()
