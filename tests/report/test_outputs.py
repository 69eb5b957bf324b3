"""The four report files and the command line, end to end."""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from support import DATA, NUMBERS, OLD_LOGS, REPORT_SCRIPT, log_path

from report_lib.cli import main
from report_lib.matrix import build_matrix
from report_lib.parse import parse_text
from report_lib.render_html import render_html
from report_lib.render_json import render_json
from report_lib.render_junit import render_junit
from report_lib.render_markdown import render_markdown

ALL_LOGS = [log_path(name) for name in OLD_LOGS]
RUN_COUNT = 11   # every log but empty.log and garbage.bin holds one run, two-boots.log two
ROWS = len(NUMBERS)
OUTPUT_SUFFIXES = (".md", ".html", ".json", ".junit.xml")
RESULT_KEYS = {"experiment", "verdict", "reported", "elapsed_us", "step", "expected", "observed", "rule",
               "deviation", "notes", "reason", "changed"}


def run_report(*args):
    """main() with captured output: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit_:   # argparse's usage errors
            status = exit_.code
    return status, out.getvalue(), err.getvalue()


class _HtmlCollector(HTMLParser):
    """Checks that tags nest and collects ids, cell classes and tooltips."""

    VOID = {"meta", "br", "link", "img", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.cells, self.errors = [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "td" and "v" in attrs.get("class", "").split():
            self.cells.append((attrs["class"].split()[1], attrs.get("title", "")))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


class AllLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.status, cls.stdout, cls.stderr = run_report("--out-dir", cls.tmp.name, "--name", "all", *ALL_LOGS)
        cls.paths = {suffix: os.path.join(cls.tmp.name, "all" + suffix) for suffix in OUTPUT_SUFFIXES}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read(self, suffix):
        with open(self.paths[suffix], encoding="utf-8") as f:
            return f.read()

    def test_status_paths_and_warnings(self):
        self.assertEqual(self.status, 0)
        self.assertEqual(self.stdout.splitlines(), [self.paths[s] for s in OUTPUT_SUFFIXES])
        self.assertIn("empty.log: the log is empty", self.stderr)
        self.assertIn("garbage.bin: no nmi-lab output", self.stderr)

    def test_json_runs_and_results(self):
        report = json.loads(self.read(".json"))
        self.assertEqual(report["schema_version"], 2)
        self.assertEqual([e["number"] for e in report["experiments"]], NUMBERS)
        self.assertEqual(len(report["runs"]), RUN_COUNT)
        runs = {run["id"]: run for run in report["runs"]}
        for run in runs.values():
            self.assertEqual([r["experiment"] for r in run["results"]], NUMBERS)
            for result in run["results"]:
                self.assertLessEqual(RESULT_KEYS, set(result))
        bochs = runs["bochs-amd64.log#1"]
        self.assertEqual((bochs["banner"]["platform"], bochs["banner"]["arch"], bochs["boot"]), ("Bochs", "amd64", "BIOS"))
        self.assertEqual(bochs["banner"]["git_revision"], "1dff8f8-dirty")
        self.assertEqual(bochs["facts"]["BSP"], ["APIC ID 0 (xAPIC)"])
        self.assertEqual((bochs["command_line"], bochs["options"]), ("", {}))
        self.assertTrue(bochs["status"]["complete"])
        self.assertEqual(bochs["status"]["summary"]["tests"], 38)
        timeout = bochs["results"][NUMBERS.index(13)]
        self.assertEqual((timeout["verdict"], timeout["elapsed_us"], timeout["observed"]),
                         ("TIMEOUT", 50236, "timeout at 0x207803 (after HLT)"))
        self.assertEqual(timeout["step"], "6 of 8, [H] wait(H: NMI -> NMI@H)")
        xfail = runs["kvm-amd64-uefi-dup-grub.log#1"]["results"][NUMBERS.index(3)]
        self.assertEqual(xfail["verdict"], "XFAIL")
        self.assertEqual(xfail["notes"], ["TODO: known QEMU/KVM deviation: reported for QEMU/KVM nested (2022-23)"])
        qemu = runs["qemu-amd64-bios.log#1"]
        not_reached = qemu["results"][NUMBERS.index(29)]
        self.assertEqual((not_reached["verdict"], not_reached["reported"]), ("NOT_RUN", False))
        self.assertTrue(not_reached["reason"].startswith("not reached: FATAL"))
        self.assertFalse(qemu["status"]["complete"])
        self.assertTrue(qemu["status"]["incomplete_reason"].startswith("FATAL: #UD"))
        self.assertEqual(runs["two-boots.log#2"]["options"], {"exp": "5,17", "verbose": True})
        self.assertEqual(runs["random-order.log#1"]["random_order"], {"seed": 7, "runs": 2000, "experiments": 38})
        self.assertEqual(runs["random-order.log#1"]["results"][NUMBERS.index(9)]["notes"],
                         ["52 runs: 50 passed, 2 failed", "inconsistent: the verdict depends on what ran before"])
        self.assertEqual([p["message"] for p in report["problems"]][0], "the log is empty")
        self.assertTrue(report["generated"].endswith("Z"))
        self.assertEqual(report["catalogue"]["schema_version"], 1)
        row3 = report["experiments"][NUMBERS.index(3)]
        self.assertEqual({d["platform"] for d in row3["known_deviations"]}, {"bochs", "kvm"})
        self.assertTrue(row3["link"].endswith("docs/experiments.md#experiment-3"))

    def test_junit(self):
        root = ET.parse(self.paths[".junit.xml"]).getroot()
        self.assertEqual(root.tag, "testsuites")
        suites = {suite.get("id"): suite for suite in root.findall("testsuite")}
        self.assertEqual(len(suites), RUN_COUNT + 2)   # and one per unusable log
        bochs = suites["bochs-amd64.log#1"]
        self.assertEqual((bochs.get("tests"), bochs.get("failures"), bochs.get("errors"), bochs.get("skipped")),
                         ("38", "18", "0", "0"))
        qemu = suites["qemu-amd64-bios.log#1"]
        self.assertEqual((qemu.get("tests"), qemu.get("skipped"), qemu.get("errors")), ("29", "28", "1"))
        self.assertIn("FATAL", qemu.find("testcase[@name='run completed']/error").get("message"))
        kvm_cases = {case.get("name")[:2]: case for case in suites["kvm-amd64-uefi-dup-grub.log#1"].findall("testcase")}
        self.assertIsNone(kvm_cases["03"].find("failure"))
        self.assertIn("known failure (XFAIL)", kvm_cases["03"].find("system-out").text)
        timeout = {case.get("name")[:2]: case for case in bochs.findall("testcase")}["13"]
        self.assertEqual(timeout.find("failure").get("type"), "TIMEOUT")
        self.assertEqual(timeout.get("time"), "0.050236")
        self.assertEqual(suites[os.path.join(str(DATA), "empty.log")].find("testcase/error").get("type"), "NO_RUN")
        self.assertEqual(root.get("tests"), str(sum(int(s.get("tests")) for s in suites.values())))

    def test_html(self):
        html = self.read(".html")
        collector = _HtmlCollector()
        collector.feed(html)
        self.assertEqual(collector.errors, [])
        self.assertEqual(collector.stack, [])
        self.assertNotIn("<script", html)
        for label in ("Bochs i386 BIOS", "KVM amd64 UEFI", "QEMU TCG amd64 BIOS", "KVM amd64 BIOS",
                      "Bochs amd64 BIOS (two-boots.log, boot 2)", "Bochs amd64 BIOS (bail-out.log)"):
            self.assertIn(f"<h3>{label}</h3>", html)
        self.assertEqual(len(collector.cells), RUN_COUNT * ROWS)
        for verdict, tooltip in collector.cells:
            self.assertTrue(tooltip, verdict)
        marks = set(re.findall(r'href="#(note-\d+)"', html))
        self.assertTrue(marks)
        self.assertLessEqual(marks, collector.ids)   # every footnote mark has its note
        # The matrix before the run cards; the legend of the notation; links to the descriptions.
        self.assertLess(html.index('<table class="matrix">'), html.index("<h2>Runs</h2>"))
        self.assertIn("<dt>(X,V,B,W)</dt>", html)
        self.assertIn("<dt>EXIT_NMIW</dt>", html)
        self.assertIn('docs/experiments.md#experiment-17">17</a>', html)
        for text in ("incomplete run: FATAL: #UD invalid opcode", "Bail out! cannot restore the baseline",
                     "incomplete run: the log ends after experiment 14", "31\u2020", "SDM-derived",
                     "observed: timeout at 0x207803 (after HLT)", "empty.log", "garbage.bin",
                     "bochs-amd64.log (modified "):
            self.assertIn(text, html)

    def test_markdown(self):
        md = self.read(".md")
        table = [line for line in md.splitlines() if line.startswith("| ")]
        self.assertEqual(len(table), 2 + ROWS)   # header, alignment, one row per experiment
        self.assertTrue(all(line.count(" | ") == RUN_COUNT + 3 for line in table[2:]))
        row13 = next(line for line in table if line.startswith("| [13]("))
        self.assertIn(" | silicon | Bochs 2.7 (D", row13)
        self.assertIn("**TIMEOUT** [", row13)
        self.assertIn("**XFAIL** [", row13)
        self.assertIn("### QEMU TCG amd64 BIOS", md)
        self.assertIn("## Notes", md)
        order = [md.index(h) for h in ("## Results", "## Notes", "## Known deviations", "## Notation", "## Runs")]
        self.assertEqual(order, sorted(order))
        self.assertIn("- `NMI@G, INTR@G`: ", md)
        self.assertRegex(md.splitlines()[2], r"^Generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by scripts/report "
                                             r"\(nmi-lab \S+")


class EveryTruncation(unittest.TestCase):
    """A capture can stop anywhere: every prefix of a real log must parse and render."""

    def test_each_line_boundary_and_mid_line(self):
        full = (DATA / "bochs-amd64.log").read_bytes()
        cuts = [i for i, byte in enumerate(full) if byte == ord("\n")]
        cuts += [cut - 7 for cut in cuts if cut > 7]   # mid-line as well
        previous_count = 0
        for cut in sorted(cuts):
            runs = parse_text(full[:cut], "cut.log")
            matrix = build_matrix(runs, [])
            json.loads(render_json(matrix))   # (no catalogue here: rows come from the log)
            ET.fromstring(render_junit(matrix).split("\n", 1)[1])   # after the XML declaration
            render_html(matrix, "t")
            render_markdown(matrix, "t")
            count = len(runs[0].results) if runs else 0
            self.assertGreaterEqual(count, previous_count, cut)
            previous_count = count
            if runs:
                self.assertEqual(runs[0].complete, b"EXIT: STATUS=1" in full[:cut], cut)
        self.assertEqual(previous_count, len(parse_text(full, "full.log")[0].results))


class CommandLine(unittest.TestCase):
    def test_no_usable_log_is_status_2(self):
        with tempfile.TemporaryDirectory() as out:
            status, stdout, stderr = run_report("--out-dir", out, log_path("empty.log"), log_path("garbage.bin"),
                                                log_path("no-such.log"))
            self.assertEqual(status, 2)
            self.assertEqual(os.listdir(out), [])
        self.assertIn("no log held an nmi-lab run", stderr)

    def test_usage_errors_are_status_2(self):
        self.assertEqual(run_report()[0], 2)
        self.assertEqual(run_report("--bogus", log_path("bochs-amd64.log"))[0], 2)
        self.assertEqual(run_report("--name", "a/b", log_path("bochs-amd64.log"))[0], 2)

    def test_unreadable_log_next_to_a_good_one(self):
        with tempfile.TemporaryDirectory() as out:
            status, stdout, stderr = run_report("--out-dir", out, log_path("no-such.log"),
                                                log_path("bochs-amd64.log"))
            self.assertEqual(status, 0)
            self.assertEqual(len(stdout.splitlines()), 4)
            self.assertIn("no-such.log: cannot read the log", stderr)

    def test_the_script_runs_from_another_directory(self):
        with tempfile.TemporaryDirectory() as cwd:
            done = subprocess.run([sys.executable, str(REPORT_SCRIPT), log_path("qemu-amd64-bios.log")],
                                  cwd=cwd, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            written = sorted(os.listdir(os.path.join(cwd, "build", "report")))
        self.assertEqual(written, sorted("report" + s for s in OUTPUT_SUFFIXES))
        self.assertTrue(os.access(REPORT_SCRIPT, os.X_OK))


if __name__ == "__main__":
    unittest.main()
