"""docs/catalogue.json against what it describes, and the report's tolerance of a
catalogue that grows (new fields) or is missing."""
import contextlib
import io
import json
import os
import re
import tempfile
import unittest

from support import CATALOGUE, REPO, log_path

from report_lib.catalogue import load_catalogue
from report_lib.cli import main

DOCS = (REPO / "docs" / "experiments.md").read_text(encoding="utf-8")
RAW = json.loads((REPO / "docs" / "catalogue.json").read_text(encoding="utf-8"))


class Catalogue(unittest.TestCase):
    def test_every_anchor_is_a_heading_of_experiments_md(self):
        anchors = re.findall(r'^## <a name="([^"]+)"></a>(\d+)\. (.*)$', DOCS, re.MULTILINE)
        self.assertEqual([(a, int(n), t) for a, n, t in anchors],
                         [(e.anchor, e.number, e.title) for e in CATALOGUE.experiments.values()])

    def test_fields(self):
        self.assertEqual(RAW["schema_version"], 1)
        for entry in RAW["experiments"]:
            svm = entry["catalogue"] == "svm"
            self.assertEqual(entry["expected_from"],
                             "apm" if svm else "sdm" if entry["sdm_derived"] else "silicon")
            self.assertEqual(svm, entry["number"] >= 101)
            self.assertTrue(entry["steps"] and all(s["context"] in ("H", "G") for s in entry["steps"]))
            self.assertTrue(entry["rule"].startswith("APM" if svm else "SDM"), entry["number"])
        # steps in the spec notation, as docs/experiments.md shows them
        first = RAW["experiments"][0]
        for index, step in enumerate(first["steps"], 1):
            self.assertIn(f"{index}. [{step['context']}] `{step['text']}`", DOCS)

    def test_deviations_name_known_experiments_and_platforms(self):
        keys = {p["key"]: p["banner"] for p in RAW["platforms"]}
        platform_c = (REPO / "lib" / "platform.c").read_text(encoding="utf-8")
        for banner in keys.values():   # the banner names are lib/platform.c's
            self.assertIn(f'"{banner}"', platform_c)
        for d in RAW["deviations"]:
            self.assertIn(d["experiment"], CATALOGUE.experiments)
            self.assertEqual(keys[d["platform"]], d["platform_banner"])
            self.assertTrue(d["note"] and d["evidence"])

    def test_extra_fields_are_carried_and_a_newer_schema_is_read(self):
        grown = json.loads(json.dumps(RAW))
        grown["schema_version"] = 2
        grown["new_top_level"] = {"x": 1}
        grown["experiments"][16]["new_field"] = "ignored"
        for d in grown["deviations"]:
            d["signature"] = {"step": 6, "observed": "none"}
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "grown.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(grown, f)
            catalogue, warnings = load_catalogue(path)
            self.assertEqual(len(catalogue.experiments), len(CATALOGUE.experiments))
            self.assertIn("schema version 2", warnings[0])
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(main(["--out-dir", out, "--catalogue", path, log_path("bochs-exp17.log")]), 0)
            with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
                report = json.load(f)
        seventeen = next(e for e in report["experiments"] if e["number"] == 17)
        self.assertEqual({d["signature"]["step"] for d in seventeen["known_deviations"]}, {6})

    def test_without_a_catalogue_titles_come_from_the_logs(self):
        with tempfile.TemporaryDirectory() as out:
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                status = main(["--out-dir", out, "--catalogue", os.path.join(out, "none.json"),
                               log_path("bochs-exp17.log")])
            self.assertEqual(status, 0)
            self.assertIn("cannot read the catalogue", err.getvalue())
            with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
                report = json.load(f)
        self.assertEqual([e["number"] for e in report["experiments"]], [17])
        self.assertFalse(report["experiments"][0]["in_catalogue"])


if __name__ == "__main__":
    unittest.main()
