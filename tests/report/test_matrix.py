"""Columns, rows, cells and footnotes built from parsed runs."""
import unittest

from support import CATALOGUE, NUMBERS, SDM_DERIVED, matrix_of, only_run, row

from report_lib.matrix import format_numbers, make_unique, merge_variants, not_run_reason
from report_lib.model import Verdict


class Labels(unittest.TestCase):
    def test_labels_from_the_banner(self):
        matrix = matrix_of("qemu-amd64-bios.log", "bochs-i386.log", "kvm-amd64-uefi-dup-grub.log")
        self.assertEqual([c.label for c in matrix.columns],
                         ["QEMU TCG amd64 BIOS", "Bochs i386 BIOS", "KVM amd64 UEFI"])

    def test_duplicates_get_the_log_name(self):
        matrix = matrix_of("bochs-amd64.log", "bochs-amd64-verbose.log", "two-boots.log")
        self.assertEqual([c.label for c in matrix.columns],
                         ["Bochs amd64 BIOS (bochs-amd64.log)", "Bochs amd64 BIOS (bochs-amd64-verbose.log)",
                          "Bochs amd64 BIOS (two-boots.log, boot 1)", "Bochs amd64 BIOS (two-boots.log, boot 2)"])

    def test_the_same_log_twice_still_gives_two_columns(self):
        matrix = matrix_of("bochs-amd64.log", "bochs-amd64.log")
        self.assertEqual([c.label for c in matrix.columns],
                         ["Bochs amd64 BIOS (bochs-amd64.log)", "Bochs amd64 BIOS (bochs-amd64.log) #2"])
        self.assertEqual([c.run_id for c in matrix.columns], ["bochs-amd64.log#1", "bochs-amd64.log#1 #2"])

    def test_make_unique(self):
        self.assertEqual(make_unique(["a", "b", "a", "a"]), ["a", "b", "a #2", "a #3"])


class RowsAndCells(unittest.TestCase):
    def test_whole_catalogue_with_sdm_derived_marks(self):
        matrix = matrix_of("bochs-amd64-verbose.log")   # reports 5 and 17 only
        self.assertEqual([r.number for r in matrix.rows], NUMBERS)
        self.assertEqual([r.number for r in matrix.rows if r.sdm_derived], SDM_DERIVED)
        for r in matrix.rows:   # every title, rule and flag from the catalogue, none from the log
            entry = CATALOGUE.experiments[r.number]
            self.assertEqual((r.title, r.rule, r.sdm_derived, r.in_catalogue), (entry.title, entry.rule,
                                                                               entry.sdm_derived, True))
            self.assertEqual(r.expected_from, "sdm" if entry.sdm_derived else "silicon")
        self.assertEqual(row(matrix, 5).title, "(1,0,0,0): an NMI in G causes a VM exit (at HLT)")

    def test_not_run_reasons(self):
        selection = only_run("bochs-amd64-verbose.log")
        self.assertEqual(not_run_reason(selection, 6), "not selected in this run")
        crashed = only_run("qemu-amd64-bios.log")
        self.assertEqual(not_run_reason(crashed, 29),
                         "not reached: FATAL: #UD invalid opcode in host on CPU 1 (APIC ID 1)")
        bailed = only_run("bail-out.log")
        self.assertEqual(not_run_reason(bailed, 14),
                         "not reached: Bail out! cannot restore the baseline after experiment 13")
        truncated = only_run("truncated-mid-yaml.log")
        self.assertEqual(not_run_reason(truncated, 15),
                         'not reached: the log ends after experiment 14 (last line: "rule: SDM 26.6")')

    def test_cells(self):
        matrix = matrix_of("bochs-amd64.log", "qemu-amd64-bios.log")
        self.assertEqual(matrix.cell(row(matrix, 13), 0).verdict, Verdict.TIMEOUT)
        self.assertEqual(matrix.cell(row(matrix, 3), 1).verdict, Verdict.SKIP)
        not_run = matrix.cell(row(matrix, 30), 1)
        self.assertEqual(not_run.verdict, Verdict.NOT_RUN)
        self.assertIsNone(not_run.footnote)
        self.assertIn("not reached", not_run.tooltip)

    def test_identical_diagnostics_share_a_footnote(self):
        matrix = matrix_of("bochs-amd64.log", "qemu-amd64-bios.log")
        skip_note = matrix.cell(row(matrix, 1), 1).footnote
        self.assertEqual(skip_note.number, 1)
        self.assertEqual(skip_note.places_text(), "QEMU TCG amd64 BIOS: 1-28")
        self.assertIs(matrix.cell(row(matrix, 10), 0).footnote, matrix.cell(row(matrix, 11), 0).footnote)
        self.assertIsNot(matrix.cell(row(matrix, 3), 0).footnote, matrix.cell(row(matrix, 7), 0).footnote)
        numbers = [note.number for note in matrix.footnotes]
        self.assertEqual(numbers, list(range(1, len(numbers) + 1)))

    def test_every_non_pass_cell_has_a_footnote_and_a_tooltip(self):
        matrix = matrix_of("bochs-amd64.log", "qemu-amd64-bios.log", "random-order.log", "bail-out.log")
        for (number, index), cell in matrix.cells.items():
            if cell.verdict in (Verdict.FAIL, Verdict.XFAIL, Verdict.SKIP, Verdict.TIMEOUT):
                self.assertIsNotNone(cell.footnote, (number, index))
                self.assertGreater(len(cell.tooltip.splitlines()), 1, (number, index))

    def test_a_pass_gets_a_footnote_only_for_a_note(self):
        matrix = matrix_of("random-order.log")
        self.assertIsNone(matrix.cell(row(matrix, 1), 0).footnote)   # only the tally
        self.assertIsNotNone(matrix.cell(row(matrix, 9), 0).footnote)   # the flaky FAIL

    def test_format_numbers(self):
        self.assertEqual(format_numbers([5, 1, 2, 3, 7, 8]), "1-3, 5, 7-8")


class Facts(unittest.TestCase):
    def test_complete_and_incomplete_runs(self):
        complete = dict(matrix_of("bochs-amd64.log").columns[0].facts())
        self.assertEqual(complete["Status"], "complete")
        self.assertEqual(complete["Summary"], "38 tests, 18 unexpected failures, 0 known failures, 0 skipped")
        self.assertEqual(complete["Exit"], "STATUS=1 (failures)")
        self.assertEqual(complete["Build"], "amd64, nmi-lab 0.1.0")
        self.assertEqual(complete["Git"], "1dff8f8-dirty")
        incomplete = dict(matrix_of("truncated-mid-yaml.log").columns[0].facts())
        self.assertTrue(incomplete["Status"].startswith("incomplete run: the log ends after experiment 14"))
        self.assertEqual(incomplete["Exit"], "none (the log has no EXIT line)")
        self.assertEqual(incomplete["Results"], "14 reported of 38 planned: 8 PASS, 4 FAIL, 2 TIMEOUT")


if __name__ == "__main__":
    unittest.main()
