"""--baseline REF.json: what changed against an earlier report, in every format."""
import contextlib
import io
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from support import NUMBERS, log_path

from report_lib.cli import main


def report(out, name, *args):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        status = main(["--out-dir", out, "--name", name, *args])
    return status, err.getvalue()


def read(out, file_name):
    with open(os.path.join(out, file_name), encoding="utf-8") as f:
        return f.read()


class AgainstAnEarlierKernel(unittest.TestCase):
    """The baseline is an older kernel's Bochs run (18 unexpected failures); the current
    one reports the same Bochs deviations as known (XFAIL), and 21 now passes."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = cls.tmp.name
        assert report(out, "ref", log_path("bochs-amd64.log"))[0] == 0
        cls.status, cls.stderr = report(out, "now", "--baseline", os.path.join(out, "ref.json"),
                                        log_path("bochs-amd64-known.log"), log_path("qemu-amd64-known.log"))
        cls.out = out

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_json(self):
        self.assertEqual(self.status, 0, self.stderr)
        data = json.loads(read(self.out, "now.json"))
        self.assertTrue(data["baseline"]["file"].endswith("ref.json"))
        changes = {(c["run"], c["experiment"]): (c["before"], c["after"]) for c in data["changes"]}
        self.assertEqual(changes[("Bochs amd64 BIOS", 3)], ("FAIL", "XFAIL"))
        self.assertEqual(changes[("Bochs amd64 BIOS", 13)], ("TIMEOUT", "XFAIL"))
        self.assertEqual(changes[("Bochs amd64 BIOS", 21)], ("FAIL", "PASS"))
        self.assertNotIn(("Bochs amd64 BIOS", 1), changes)   # PASS then, PASS now
        self.assertEqual(len(changes), 18)
        bochs, qemu = data["runs"]
        self.assertEqual(bochs["baseline_run"], "bochs-amd64.log#1")
        self.assertIsNone(qemu["baseline_run"])   # nothing on QEMU in the baseline
        result = bochs["results"][NUMBERS.index(21)]
        self.assertEqual((result["baseline_verdict"], result["changed"]), ("FAIL", True))
        self.assertFalse(bochs["results"][NUMBERS.index(1)]["changed"])

    def test_markdown(self):
        md = read(self.out, "now.md")
        self.assertIn("## Changes against the baseline", md)
        self.assertIn("- Bochs amd64 BIOS, experiment 21: FAIL \u2192 PASS", md)
        self.assertIn("No baseline run for: QEMU TCG amd64 BIOS.", md)
        row21 = next(line for line in md.splitlines() if line.startswith("| [21]("))
        self.assertIn("PASS \u0394 (was FAIL)", row21)

    def test_html(self):
        html = read(self.out, "now.html")
        self.assertIn("<h2>Changes against the baseline</h2>", html)
        self.assertIn('class="v PASS changed"', html)
        self.assertIn('<span class="was">was FAIL</span>', html)

    def test_junit(self):
        root = ET.fromstring(read(self.out, "now.junit.xml").split("\n", 1)[1])
        bochs = root.find("testsuite[@id='bochs-amd64-known.log#1']")
        case21 = next(c for c in bochs.findall("testcase") if c.get("name").startswith("21 "))
        self.assertIn("changed against the baseline: was FAIL", case21.find("system-out").text)
        baseline = bochs.find("properties/property[@name='Baseline']")
        self.assertEqual(baseline.get("value"), "Bochs amd64 BIOS (bochs-amd64.log#1)")


class BaselineFiles(unittest.TestCase):
    def test_the_first_reports_flat_list(self):
        with tempfile.TemporaryDirectory() as out:
            ref = os.path.join(out, "flat.json")
            with open(ref, "w", encoding="utf-8") as f:
                json.dump([{"run_id": "x.log#1", "label": "Bochs amd64 BIOS", "platform": "Bochs", "build": "amd64",
                            "boot": "BIOS", "experiment": 17, "verdict": "PASS"}], f)
            status, _ = report(out, "r", "--baseline", ref, log_path("bochs-exp17.log"))
            self.assertEqual(status, 0)
            data = json.loads(read(out, "r.json"))
        self.assertEqual(data["changes"], [{"run": "Bochs amd64 BIOS", "experiment": 17, "before": "PASS",
                                            "after": "XFAIL"}])

    def test_unusable_baseline_is_an_error(self):
        with tempfile.TemporaryDirectory() as out:
            status, err = report(out, "r", "--baseline", os.path.join(out, "missing.json"), log_path("bochs-exp17.log"))
            self.assertEqual(status, 2)
            self.assertIn("cannot read the baseline", err)
            bad = os.path.join(out, "bad.json")
            with open(bad, "w") as f:
                f.write('{"runs": 3}')
            status, err = report(out, "r", "--baseline", bad, log_path("bochs-exp17.log"))
            self.assertEqual(status, 2)
            self.assertIn("is not a report's JSON", err)
            self.assertEqual(sorted(os.listdir(out)), ["bad.json"])


if __name__ == "__main__":
    unittest.main()
