#!/usr/bin/env python3
"""Boots the real image under Bochs (VMX) and QEMU TCG (no VMX) and checks what the
serial logs and exit statuses say: the self-test, every experiment's verdict against the
expected table for that platform, the exit status, failure reporting with recovery, the
random order, and the watchdog. Prints one line per check and, last, "N passed, M failed".
"""
import concurrent.futures
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "test")
KERNELS = {a: os.path.join(ROOT, "build", a, "nmi-lab.elf") for a in ("amd64", "i386")}

TAP_LINE = re.compile(r"^(ok|not ok) (\d+) - (.*?)(?: # (TODO|SKIP)\b(.*))?$")


def catalogue_numbers():
    """The experiments the catalogue has, from docs/experiments.md (generated from it,
    and checked up to date by make unit-test)."""
    with open(os.path.join(ROOT, "docs", "experiments.md")) as f:
        return [int(m.group(1)) for m in re.finditer(r"^## (\d+)\. ", f.read(), re.M)]


CATALOGUE = catalogue_numbers()
N = len(CATALOGUE)


@dataclass
class Run:
    name: str
    emulator: str          # "bochs", "qemu-bios", "qemu-uefi", "qemu-vmdk" (BIOS, as a
                           # disk) or "qemu-multiboot1" (QEMU -kernel, i386 only)
    arch: str              # GRUB entry: amd64 or i386
    args: str = ""         # appended to the kernel command line
    timeout: int = 300
    status: int = 0        # expected exit status
    verdicts: str = ""     # expected-verdict table in tests/expected/, or "" for none
    smp: int = 2           # CPUs the emulator offers
    lines: list = field(default_factory=list)  # regexes that must match some log line
    only: dict = field(default_factory=dict)   # experiment -> verdict, checked exactly
    cpu: str = ""          # CPU model (run-bochs --cpu, run-qemu --cpu); "" for the default
    com2: list = field(default_factory=list)   # QEMU only: a COM2 is offered, and these
                                               # regexes must match some line of its log


def read_table(name):
    table = {}
    with open(os.path.join(ROOT, "tests", "expected", name)) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                table[int(line[0])] = line[1]
    return table


def verdicts_in(log):
    """Experiment number -> pass | fail | known | skip, from the TAP lines."""
    found = {}
    for line in log:
        m = TAP_LINE.match(line)
        if not m:
            continue
        ok, number, _, directive, _ = m.groups()
        if directive == "SKIP":
            found[int(number)] = "skip"
        elif directive == "TODO":
            found[int(number)] = "known" if ok == "not ok" else "pass"
        else:
            found[int(number)] = "pass" if ok == "ok" else "fail"
    return found


def boot_multiboot1(run, log):
    """QEMU's own multiboot1 loader (-kernel, ELF32 only): no GRUB, no ACPI tag, the
    kernel's file name first on the command line. Returns the kernel's exit status."""
    cmd = ["timeout", "-s", "KILL", str(run.timeout), "qemu-system-x86_64", "-M", "q35",
           "-smp", "2", "-m", "256", "-kernel", KERNELS[run.arch], "-append", run.args,
           "-display", "none", "-serial", "file:" + log, "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return rc >> 1 if rc % 2 else 2


def read_log(log):
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    return [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", l) for l in text.split("\n")]


def boot(run):
    """Builds the run's ISO, boots it, returns (status, log lines)."""
    os.makedirs(BUILD, exist_ok=True)
    iso = os.path.join(BUILD, run.name + ".iso")
    log = os.path.join(BUILD, run.name + ".log")
    if run.emulator == "qemu-multiboot1":
        return boot_multiboot1(run, log), read_log(log)
    subprocess.run([os.path.join(ROOT, "scripts", "mkiso"), "--out", iso,
                    "--amd64", KERNELS["amd64"], "--i386", KERNELS["i386"],
                    "--timeout", "0", "--default", run.arch, "--append", run.args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if run.emulator == "bochs":
        cmd = [os.path.join(ROOT, "scripts", "run-bochs")]
    else:
        cmd = [os.path.join(ROOT, "scripts", "run-qemu")]
        if run.emulator == "qemu-uefi":
            cmd.append("--uefi")
        if run.emulator == "qemu-vmdk":
            # The VMware disk must boot as a disk: the proof that `make vmdk` is usable.
            vmdk = os.path.join(BUILD, run.name + ".vmdk")
            subprocess.run([os.path.join(ROOT, "scripts", "mkvmdk"), iso, vmdk], check=True,
                           stdout=subprocess.DEVNULL)
            cmd.append("--disk")
            iso = vmdk
    if run.smp != 2:
        cmd += ["--smp", str(run.smp)]
    if run.cpu:
        cmd += ["--cpu", run.cpu]
    if run.com2:
        cmd += ["--com2", com2_log(run)]
    cmd += ["--quiet", "--timeout", str(run.timeout), "--log", log, iso]
    status = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return status, read_log(log)


def com2_log(run):
    return os.path.join(BUILD, run.name + ".com2.log")


def check(run, status, log):
    """Yields (passed, description) for every assertion about one run."""
    yield status == run.status, f"exit status {status} (expected {run.status})"
    for pattern in run.lines:
        yield any(re.search(pattern, l) for l in log), f"log has /{pattern}/"
    if run.com2:
        com2 = read_log(com2_log(run))
        for pattern in run.com2:
            yield any(re.search(pattern, l) for l in com2), f"COM2 log has /{pattern}/"
    found = verdicts_in(log)
    expected = dict(run.only)
    if run.verdicts:
        expected.update(read_table(run.verdicts))
    for number, verdict in sorted(expected.items()):
        got = found.get(number, "not run")
        yield got == verdict, f"experiment {number}: {got} (expected {verdict})"


RUNS = [
    Run("bochs-amd64", "bochs", "amd64", verdicts="bochs-2.7.txt", lines=[
        r"^CPU 1 \(APIC ID \d+\) up", r"^VMX: VMXON ok",
        r"^# selftest: ok - 1000 VMCALL round trips",
        r"^# selftest: ok - NMI sent by the BSP with NMI exiting = 1 arrives as an NMI VM exit",
        rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    Run("bochs-i386", "bochs", "i386", verdicts="bochs-2.7.txt", lines=[
        r"^nmi-lab .*, i386 build", r"^# selftest: ok - 1000 VMCALL round trips",
        r"^# selftest: ok - NMI sent by the BSP", rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    # The x2APIC paths (MSR-based ICR, AP start-up, EOI) with the same verdicts.
    Run("bochs-i386-x2apic", "bochs", "i386", "x2apic", verdicts="bochs-2.7.txt",
        lines=[r"APIC mode x2APIC", rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    # A deliberately wrong expectation is reported, and recovery lets the next one pass.
    Run("bochs-amd64-break", "bochs", "amd64", "exp=12,20 break=12", status=1,
        only={12: "fail", 20: "pass"},
        lines=[r'^  expected: "timeout at ', r"^  # break=12: one expectation",
               r"^SUMMARY: 2 tests, 1 unexpected failures"]),
    Run("bochs-amd64-random", "bochs", "amd64", "order=random iterations=300 seed=7",
        verdicts="bochs-2.7.txt", lines=[rf"^# random order: seed 7, 300 runs over {N}",
                                         rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    Run("qemu-bios-amd64", "qemu-bios", "amd64", status=77, verdicts="qemu-tcg.txt",
        lines=[r"^Boot: BIOS, multiboot2", r"^VMX: not available \(CPUID.1:ECX\[5\] = 0\)"]),
    Run("qemu-uefi-amd64", "qemu-uefi", "amd64", status=77, verdicts="qemu-tcg.txt",
        lines=[r"^Boot: UEFI, multiboot2", r"^VMX: not available"]),
    Run("qemu-bios-i386", "qemu-bios", "i386", status=77, verdicts="qemu-tcg.txt",
        lines=[r"^nmi-lab .*, i386 build", r"^Boot: BIOS", r"^VMX: not available"]),
    Run("qemu-uefi-i386", "qemu-uefi", "i386", status=77, verdicts="qemu-tcg.txt",
        lines=[r"^nmi-lab .*, i386 build", r"^Boot: UEFI", r"^VMX: not available"]),
    Run("qemu-multiboot1-i386", "qemu-multiboot1", "i386", "exp=29", status=77, timeout=60,
        only={29: "pass"}, lines=[r"^Boot: .*multiboot1, loader \"qemu\", command line \"exp=29\"",
                                  r"RSDP from BIOS area scan"]),
    Run("qemu-vmdk-amd64", "qemu-vmdk", "amd64", "exp=29", status=77, only={29: "pass"},
        lines=[r"^Boot: BIOS, multiboot2"]),
    # A guest stuck with interrupts off: the watchdog's INIT exits it and the step gets a
    # timeout verdict. On silicon the run then goes on; Bochs 2.7 delivers the same INIT
    # again at the next VM entry (cpu/event.cc:233), which the engine detects and reports.
    Run("bochs-amd64-watchdog", "bochs", "amd64", "exp=1,12 hang=1", status=1,
        only={1: "fail"},
        lines=[r"^# watchdog: no progress for \d+ ms in experiment 1, step 2 \(wait",
               r'^  observed: "no progress for \d+ ms \(the watchdog\'s INIT found the guest',
               r"^Bail out! the watchdog's INIT caused a second VM exit",
               r"^SUMMARY: 2 tests, 1 unexpected failures"]),
    # A stuck experimenter is named by the watchdog instead of hanging the run.
    Run("qemu-watchdog", "qemu-bios", "amd64", "exp=29,31 hang=31", status=1, timeout=60,
        only={29: "pass", 31: "fail"},
        lines=[r"^Bail out! watchdog: no progress for \d+ ms in experiment 31, step 1",
               r"^SUMMARY: 2 tests, 1 unexpected failures"]),
    # An unexpected exception in a host step fails that experiment; the run goes on.
    Run("qemu-host-fault", "qemu-bios", "amd64", "exp=29,31 fault=29", status=1, timeout=60,
        only={29: "fail", 31: "known"},
        lines=[r'^  observed: "exception 6, #UD invalid opcode \(error code 0\), in the host at rip']),
    Run("bochs-i386-host-fault", "bochs", "i386", "exp=29,12 fault=29", status=1,
        only={29: "fail", 12: "pass"},
        lines=[r'^  observed: "exception 6, #UD invalid opcode \(error code 0\), in the host at rip']),
    Run("bochs-amd64-guest-fault", "bochs", "amd64", "exp=1,12 fault=1", status=1,
        only={1: "fail", 12: "pass"},
        lines=[r'^  observed: "exception 6, #UD invalid opcode \(error code 0\), in the guest at rip']),
    # An experiment number the catalogue lacks is an error too.
    Run("qemu-unknown-experiment", "qemu-bios", "amd64", "exp=29,45", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: exp= names experiment 45, which the catalogue does not have"]),
    # One CPU is not enough: said clearly, with an error status.
    Run("qemu-one-cpu", "qemu-bios", "amd64", status=1, timeout=60, smp=1,
        lines=[r"^Bail out! need two CPUs: ACPI lists only one"]),
    # With strict, known deviations count as failures; the summary says so.
    Run("bochs-amd64-strict", "bochs", "amd64", "exp=3,12,18 strict", status=1,
        only={3: "fail", 12: "pass", 18: "fail"},
        lines=[r'^  deviation: "known Bochs 2.7 deviation \(strict: counted as a failure\)"',
               r"^SUMMARY: 3 tests, 2 unexpected failures, 0 known failures, 0 skipped, "
               r"0 known deviations did not show \(strict"]),
    # A guest that exits at every VM entry (an NMI window kept open) is a storm: it ends
    # with a verdict that names it, and the run goes on.
    Run("bochs-amd64-storm", "bochs", "amd64", "exp=21,12 storm=21", status=1,
        only={21: "fail", 12: "pass"},
        lines=[r'^  observed: "exit storm: 257 EXIT_NMIW in \d+ us at 0x[0-9a-f]+',
               r"^SUMMARY: 2 tests, 1 unexpected failures", r"^EXIT: STATUS=1"]),
    # Events that land between a wait's "send now" and its HLT count as landing at the
    # HLT: stretching that window by 2 ms changes no verdict.
    Run("bochs-i386-ready-delay", "bochs", "i386", "ready_delay=2000", verdicts="bochs-2.7.txt",
        lines=[rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    Run("qemu-bios-amd64-ready-delay", "qemu-bios", "amd64", "ready_delay=2000", status=77,
        verdicts="qemu-tcg.txt"),
    # A bad option is an error that names the valid keys, never ignored.
    Run("qemu-bad-option", "qemu-bios", "amd64", "exp=17 colour=blue", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: unknown option 'colour'; valid options: .*exp"]),

    # Issue 12: nothing silently ignored (each is an error that names the problem), errors
    # on the port the user reads, never-run experiments reported as such, old CPUs.
    Run("qemu-option-twice", "qemu-bios", "amd64", "exp=29 exp=31", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'exp' is given twice; give each option once$",
               r"^EXIT: STATUS=1$"]),
    Run("qemu-seed-sequential", "qemu-bios", "amd64", "exp=29 seed=5", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'seed' applies only to order=random "
               r"\(the order is seq\)$"]),
    Run("qemu-break-unselected", "qemu-bios", "amd64", "exp=29 break=31", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: break=31 names experiment 31, which exp= does not select$"]),
    Run("qemu-trailing-comma", "qemu-bios", "i386", "exp=29,", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'exp': '29,' ends with ','; a number must follow it$"]),
    # An empty selection is an error, not a run of nothing that exits 77.
    Run("qemu-empty-selection", "qemu-bios", "amd64", f"exp=-1-{CATALOGUE[-1]}", status=1, timeout=60,
        lines=[rf"^Bail out! bad command line: exp= leaves no experiment to run "
               rf"\(the catalogue has {CATALOGUE[0]}-{CATALOGUE[-1]}\)$"]),
    Run("qemu-empty-selection-2", "qemu-bios", "amd64", "exp=29,-29", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: exp= leaves no experiment to run"]),
    # serial=: a port outside the I/O space, and one where no UART answers (this QEMU has
    # no COM2), are said on COM1.
    Run("qemu-serial-out-of-range", "qemu-bios", "amd64", "serial=0xffff", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'serial': 0xffff is out of range 0x1..0xfff8$"]),
    Run("qemu-serial-missing", "qemu-bios", "amd64", "exp=29 serial=0x2f8", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: serial=0x2f8: no UART answers at that port"]),
    # A bad option after serial= is reported on COM1 and on the chosen COM2.
    Run("qemu-bad-option-com2", "qemu-bios", "amd64", "serial=0x2f8 colour=blue", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: unknown option 'colour'", r"^EXIT: STATUS=1$"],
        com2=[r"^Bail out! bad command line: unknown option 'colour'", r"^EXIT: STATUS=1$"]),
    # Control bytes from the command line are escaped in the message (QEMU's -kernel passes
    # any bytes; GRUB's menu would not).
    Run("qemu-multiboot1-control-bytes", "qemu-multiboot1", "i386", "exp=29 col\x1b[2Jour=1",
        status=1, timeout=60,
        lines=[r"^Bail out! bad command line: unknown option 'col\\x1b\[2Jour'; valid options: exp, "]),
    # Random order: an experiment the draw never picked is a SKIP "not run", and SUMMARY
    # counts it as skipped (here 29 is never drawn with seed 1).
    Run("qemu-random-not-run", "qemu-bios", "amd64", "exp=29,31 order=random iterations=1",
        status=77, timeout=60, only={29: "skip", 31: "known"},
        lines=[r"^ok 29 - .* # SKIP not run: ",
               r"^SUMMARY: 2 tests, 0 unexpected failures, 1 known failures, 1 skipped"]),
    # The amd64 build on a CPU without long mode (Bochs's Core Duo): a message naming the
    # i386 entry and an error status, not a triple fault; and without PAE under QEMU.
    Run("bochs-amd64-no-long-mode", "bochs", "amd64", cpu="core_duo_t2400_yonah", status=1,
        timeout=120, lines=[r"^Bail out! this CPU has no long mode \(CPUID.80000001H:EDX\[29\] = 0\): "
                            r"the amd64 build cannot run on it; boot the i386 build \(GRUB menu entry id 'i386'",
                            r"^EXIT: STATUS=1$"]),
    # ... where the i386 build, which the message names, runs (that CPU lacks virtual NMIs).
    Run("bochs-i386-core-duo", "bochs", "i386", "exp=1,12,29", cpu="core_duo_t2400_yonah",
        only={1: "pass", 12: "skip", 29: "pass"},
        lines=[r"^VMX: VMXON ok", r"^ok 12 - .* # SKIP this CPU lacks a needed control"]),
    Run("qemu-amd64-no-pae", "qemu-bios", "amd64", cpu="qemu64,-pae", status=1, timeout=60,
        lines=[r"^Bail out! this CPU has no PAE \(CPUID.01H:EDX\[6\] = 0\)", r"^EXIT: STATUS=1$"]),
]


def main():
    selected = [r for r in RUNS if not sys.argv[1:] or r.name in sys.argv[1:]]
    passed = failed = 0
    # Bochs runs are single-threaded: two at a time use both cores.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = {r.name: pool.submit(boot, r) for r in selected}
        for run in selected:
            status, log = results[run.name].result()
            for ok, what in check(run, status, log):
                print(f"{'PASS' if ok else 'FAIL'} {run.name}: {what}")
                passed += ok
                failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
