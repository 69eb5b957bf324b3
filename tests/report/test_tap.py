"""scripts/log2tap and what the runners do with it: a clean TAP 13 document next to every
raw log, the paths printed at the end of every run, and run-qemu --kvm's checks."""
import os
import re
import stat
import subprocess
import tempfile
import unittest

from support import DATA, REPO, log_path

from report_lib.tap import extract_tap

LOG2TAP = REPO / "scripts" / "log2tap"
RUN_QEMU = REPO / "scripts" / "run-qemu"
# What a line of the .tap may be (TAP 13): version, plan, result, YAML, comment, Bail out!
# Written out here on purpose rather than taken from report_lib.grammar: log2tap's output
# is made with the grammar, so judging it by the grammar would prove nothing. A plan may
# skip everything: "1..0 # SKIP random scenarios needs VMX, ..." (TAP 13).
TAP_LINE = re.compile(r"^(TAP version 13|1\.\.\d+|1\.\.0 # SKIP .*|(not )?ok \d+.*|  (---|\.\.\.|\S.*)|\s*#.*"
                      r"|Bail out!.*)$")


def tap_of(name):
    return extract_tap((DATA / name).read_bytes())


class CleanTap(unittest.TestCase):
    def test_every_log_gives_a_clean_document(self):
        for path in sorted(DATA.glob("*.log")) + [DATA / "garbage.bin"]:
            text = extract_tap(path.read_bytes())
            lines = text.split("\n")
            self.assertEqual(lines[0], "TAP version 13", path.name)
            self.assertEqual(lines[-1], "", path.name)   # ends with a line end
            for line in lines[:-1]:
                self.assertRegex(line, TAP_LINE, path.name)
                self.assertNotRegex(line, r"[\x00-\x08\x0b-\x1f\x7f\x1b]", path.name)
            self.assertNotIn("Booting `", text, path.name)
            self.assertEqual(text.count("TAP version"), 1, path.name)
            # YAML blocks open and close in pairs
            self.assertEqual(text.count("\n  ---\n"), text.count("\n  ...\n"), path.name)

    def test_stream_and_banner_survive(self):
        text = tap_of("bochs-amd64-known.log")
        self.assertIn("\n# Platform: Bochs\n", text)
        self.assertIn("\n1..38\n", text)
        self.assertEqual(len(re.findall(r"^(?:not )?ok \d+ ", text, re.MULTILINE)), 38)   # raw TAP, as above
        self.assertIn("\n  step: 5 of 6, [G] after VM entry -> NMI@G\n", text)
        self.assertIn("\n  # info: the NMI exit from HLT", text)
        self.assertTrue(text.endswith("# SUMMARY: 38 tests, 0 unexpected failures, 17 known failures, 0 skipped\n"
                                      "# EXIT: STATUS=0\n"))

    def test_the_verbose_trace_is_left_out(self):
        text = tap_of("crlf-escape-heavy.log")
        self.assertNotIn("Enter host", text)
        self.assertIn("ok 5 - ", text)

    def test_bail_out_before_the_stream(self):
        self.assertEqual(tap_of("qemu-bad-option.log").split("\n")[:2],
                         ["TAP version 13", "Bail out! bad command line: unknown option 'colour'; valid options: exp, "
                                            "order, seed, iterations, verbose, timeout, serial, baud, x2apic, reboot, "
                                            "vmcalls, break, hang, fault"])

    def test_cut_yaml_is_closed_and_the_last_boot_is_kept(self):
        self.assertTrue(tap_of("truncated-mid-yaml.log").endswith(
            "  rule: SDM 26.6\n  ...\n# log2tap: the log ends inside this YAML block (closed here)\n"))
        two = tap_of("two-boots.log")
        self.assertIn("# log2tap: the log holds 2 boots", two)
        self.assertIn('command line "exp=5,17 verbose"', two)
        self.assertNotIn("ok 14 ", two)

    def test_fatal_dump_is_a_comment(self):
        text = tap_of("qemu-amd64-bios.log")
        self.assertIn("\n# FATAL: #UD invalid opcode in host on CPU 1 (APIC ID 1)\n#   rip=", text)

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "x.log")
            with open(log, "wb") as f:
                f.write((DATA / "new-exp17.log").read_bytes())
            done = subprocess.run([LOG2TAP, log], capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(os.path.join(tmp, "x.tap"), encoding="utf-8") as f:
                self.assertEqual(f.read(), tap_of("new-exp17.log"))
            done = subprocess.run([LOG2TAP, "/dev/zero", "-"], capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 2)
            self.assertIn("refused: a character device", done.stderr)


FAKE_QEMU = """#!/bin/sh
# Stands in for qemu-system-x86_64: copies $FAKE_SERIAL to the -serial file and exits as
# QEMU does after the kernel wrote 77 to isa-debug-exit.
while [ $# -gt 0 ]; do
    case $1 in -serial) out=${2#file:}; shift ;; esac
    shift
done
cat "$FAKE_SERIAL" > "$out"
exit 155
"""


class Runners(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def fake(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def fake_qemu_env(self, serial):
        bin_dir = os.path.join(self.dir, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        self.fake("bin/qemu-system-x86_64", FAKE_QEMU)
        return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SERIAL": serial}

    def test_run_qemu_writes_the_tap_and_says_where_the_logs_are(self):
        iso = self.fake("boot.iso", "")
        log = os.path.join(self.dir, "logs", "run.log")
        env = self.fake_qemu_env(log_path("qemu-amd64-known.log"))
        done = subprocess.run([RUN_QEMU, "--quiet", "--log", log, iso], capture_output=True, text=True, env=env,
                              timeout=60)
        self.assertEqual(done.returncode, 77, done.stderr)
        with open(log, "rb") as f:
            self.assertEqual(f.read(), (DATA / "qemu-amd64-known.log").read_bytes())   # the raw log untouched
        tap = os.path.join(self.dir, "logs", "run.tap")
        with open(tap, encoding="utf-8") as f:
            self.assertEqual(f.read(), tap_of("qemu-amd64-known.log"))
        self.assertIn(f"run-qemu: serial log: {log}\n", done.stderr)
        self.assertIn(f"run-qemu: TAP:        {tap}\n", done.stderr)
        self.assertIn("run-qemu: emulator:   ", done.stderr)

    def kvm_check(self, nested=None, cpu_flags="fpu vmx sse2", device=True):
        kvm = self.fake("kvm", "") if device else os.path.join(self.dir, "no-kvm")
        cpuinfo = self.fake("cpuinfo", f"flags\t\t: {cpu_flags}\n")
        nested_path = self.fake("nested", nested + "\n") if nested is not None else os.path.join(self.dir, "none")
        iso = self.fake("boot.iso", "")
        env = {**self.fake_qemu_env(log_path("qemu-bad-option.log")), "RUN_QEMU_KVM_DEVICE": kvm,
               "RUN_QEMU_CPUINFO": cpuinfo, "RUN_QEMU_KVM_NESTED": nested_path,
               "RUN_QEMU_KVM_AMD_NESTED": nested_path}
        done = subprocess.run([RUN_QEMU, "--kvm", "--quiet", "--log", os.path.join(self.dir, "k.log"), iso],
                              capture_output=True, text=True, env=env, timeout=60)
        return done.returncode, done.stderr

    def test_kvm_nested_off_says_how_to_enable_it(self):
        for value in ("N", "0"):
            status, err = self.kvm_check(nested=value)
            self.assertEqual(status, 2)
            self.assertIn(f"nested VMX is off ({os.path.join(self.dir, 'nested')} says '{value}')", err)
            self.assertIn("modprobe -r kvm_intel && modprobe kvm_intel nested=1", err)
            self.assertIn("options kvm_intel nested=1", err)

    def test_kvm_prerequisites(self):
        status, err = self.kvm_check(nested="Y", device=False)
        self.assertEqual(status, 2)
        self.assertIn("no-kvm does not exist", err)
        status, err = self.kvm_check(nested="Y", cpu_flags="fpu sse2")
        self.assertIn("the host CPU has neither a 'vmx' nor an 'svm' flag", err)
        status, err = self.kvm_check(nested=None)
        self.assertIn("kvm_intel is not loaded (as root: modprobe kvm_intel nested=1)", err)

    def test_kvm_on_amd_checks_nested_svm(self):
        status, err = self.kvm_check(nested="0", cpu_flags="fpu svm")
        self.assertEqual(status, 2)
        self.assertIn("nested SVM is off", err)
        self.assertIn("modprobe -r kvm_amd && modprobe kvm_amd nested=1", err)
        status, err = self.kvm_check(nested="1", cpu_flags="fpu svm")
        self.assertNotIn("--kvm:", err)

    def test_kvm_nested_on_passes_the_checks(self):
        for value in ("Y", "1"):
            status, err = self.kvm_check(nested=value)
            self.assertNotIn("--kvm:", err)   # it got past the checks and ran (the fake) QEMU
            self.assertEqual(status, 1, err)  # the bail-out log's EXIT: STATUS=1


if __name__ == "__main__":
    unittest.main()
