#!/usr/bin/env python3
"""Boots the real image under Bochs (VMX on an Intel model, SVM on an AMD one) and QEMU
TCG (SVM with +svm; neither with -svm) and checks what the serial logs and exit statuses
say: the self-test, every experiment's verdict against the expected table for that
platform, the exit status, failure reporting with recovery, the random order, and the
watchdog. Prints one line per check and, last, "N passed, M failed".
"""
import concurrent.futures
import os
import re
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field

from catalogue import catalogue_numbers  # tests/catalogue.py, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "test")
KERNELS = {a: os.path.join(ROOT, "build", a, "nmi-lab.elf") for a in ("amd64", "i386")}

# The log's grammar is the report's (scripts/report_lib/grammar.py).
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True

from report_lib.grammar import TIMER, read_result  # noqa: E402  (needs the path above)


CATALOGUE = catalogue_numbers("vmx")
N = len(CATALOGUE)
# The SVM catalogue numbers from 101: its runs plan 1..its last, the rest "not in the SVM catalogue".
SVM_LAST = catalogue_numbers("svm")[-1]

# QEMU's default CPU (qemu64) offers SVM, so a run would use the SVM catalogue; the runs
# that check the rest of the kernel under QEMU keep the VMX one, where no virtualization is
# available and only the host-only experiments run (status 77). The SVM runs say +svm.
QEMU_WITHOUT_SVM = "qemu64,-svm"
QEMU_SVM = "qemu64,+svm,+vgif"


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
    lines: list = field(default_factory=list)  # regexes that must match some log line: the
                                               # kernel's exact words, so raw on purpose
    only: dict = field(default_factory=dict)   # experiment -> verdict, checked exactly
    qemu: list = field(default_factory=list)   # extra scripts/run-qemu options
    acpi_table: bytes = b""                    # an extra ACPI table for QEMU (--acpi-table)
    screen: list = field(default_factory=list)  # regexes for the text screen (QEMU BIOS)
    tsc_like: str = ""     # the banner's TSC frequency within 10 % of this run's
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
    return {result.number: result.table_verdict() for result in map(read_result, log) if result}


def tap_numbers(log):
    """The numbers of the TAP lines, in the order printed."""
    return [result.number for result in map(read_result, log) if result]


def boot_multiboot1(run, log):
    """QEMU's own multiboot1 loader (-kernel, ELF32 only): no GRUB, no ACPI tag, the
    kernel's file name first on the command line. Returns the kernel's exit status."""
    cmd = ["timeout", "-s", "KILL", str(run.timeout), "qemu-system-x86_64", "-M", "q35",
           "-cpu", run.cpu or QEMU_WITHOUT_SVM,
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
    made = subprocess.run([os.path.join(ROOT, "scripts", "mkiso"), "--out", iso,
                           "--amd64", KERNELS["amd64"], "--i386", KERNELS["i386"],
                           "--timeout", "0", "--default", run.arch, "--append", run.args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if made.returncode:
        raise RuntimeError(f"{run.name}: mkiso failed:\n{made.stdout}")
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
    cmd += run.qemu
    if run.acpi_table:
        table = os.path.join(BUILD, run.name + ".acpi")
        with open(table, "wb") as f:
            f.write(run.acpi_table)
        cmd += ["--acpi-table", table]
    monitor = os.path.join(BUILD, run.name + ".monitor")
    if run.screen:
        cmd += ["--monitor", monitor]
    if run.cpu or run.emulator != "bochs":
        cmd += ["--cpu", run.cpu or QEMU_WITHOUT_SVM]
    if run.com2:
        cmd += ["--com2", com2_log(run)]
    cmd += ["--quiet", "--timeout", str(run.timeout), "--log", log, iso]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    screen = watch_text_screen(monitor, proc) if run.screen else []
    status = proc.wait()
    return status, read_log(log) + [SCREEN_MARK + line for line in screen]


SCREEN_MARK = "\0screen: "  # lines read from the screen, kept apart from the serial log's


def watch_text_screen(socket_path, proc):
    """The lines the VGA text screen (80x25 at 0xb8000) showed while proc ran, read
    through QEMU's monitor every 0.3 s."""
    seen = []
    sock = None
    while proc.poll() is None:
        try:
            if sock is None:
                sock = socket.socket(socket.AF_UNIX)
                sock.settimeout(2)
                sock.connect(socket_path)
            sock.sendall(b"xp /2000hx 0xb8000\n")
            text = b""
            while b"00000000000b8f90:" not in text or not text.rstrip().endswith(b"(qemu)"):
                chunk = sock.recv(1 << 16)
                if not chunk:
                    raise OSError("monitor closed")
                text += chunk
        except OSError:
            sock = None
            time.sleep(0.3)
            continue
        cells = {}
        for m in re.finditer(rb"([0-9a-f]{16}): ((?:0x[0-9a-f]{4} ?)+)", text):
            address = int(m[1], 16)
            for i, word in enumerate(m[2].split()):
                cells[address + 2 * i] = int(word, 16) & 0xff
        for row in range(25):
            codes = [cells.get(0xb8000 + 160 * row + 2 * col, 32) for col in range(80)]
            line = "".join(chr(c) if 32 <= c < 127 else " " for c in codes).rstrip()
            if line and line not in seen:
                seen.append(line)
        time.sleep(0.3)
    return seen


def banner_tsc_khz(log):
    for line in log:
        if (m := TIMER.match(line)) and m["tsc_khz"]:
            return int(m["tsc_khz"])
    return None


def com2_log(run):
    return os.path.join(BUILD, run.name + ".com2.log")


def check(run, status, log):
    """Yields (passed, description) for every assertion about one run."""
    yield status == run.status, f"exit status {status} (expected {run.status})"
    screen = [l[len(SCREEN_MARK):] for l in log if l.startswith(SCREEN_MARK)]
    log = [l for l in log if not l.startswith(SCREEN_MARK)]
    for pattern in run.lines:
        yield any(re.search(pattern, l) for l in log), f"log has /{pattern}/"
    for pattern in run.screen:
        yield any(re.search(pattern, l) for l in screen), f"screen showed /{pattern}/"
    if run.com2:
        com2 = read_log(com2_log(run))
        for pattern in run.com2:
            yield any(re.search(pattern, l) for l in com2), f"COM2 log has /{pattern}/"
    found = verdicts_in(log)
    numbers = tap_numbers(log)
    yield numbers == list(range(1, len(numbers) + 1)), f"TAP numbers run 1..{len(numbers)} in order"
    expected = dict(run.only)
    if run.verdicts:
        expected.update(read_table(run.verdicts))
    for number, verdict in sorted(expected.items()):
        got = found.get(number, "not run")
        yield got == verdict, f"experiment {number}: {got} (expected {verdict})"


def spcr_table(interface_type, address_space, address, baud_code=7):
    """An ACPI SPCR table (revision 2, 80 bytes) naming a console: for QEMU, whose own
    tables have none. Address space 1 is I/O, 0 memory; baud code 7 is 115200."""
    body = bytearray(44)
    body[0] = interface_type
    body[4:16] = struct.pack("<BBBBQ", address_space, 8, 0, 1, address)
    body[22] = baud_code
    table = bytearray(struct.pack("<4sIBB6s8sI4sI", b"SPCR", 36 + len(body), 2, 0, b"NMILAB",
                                  b"SPCRTEST", 1, b"NMIL", 1)) + body
    table[9] = -sum(table) & 0xff
    return bytes(table)


RUNS = [
    Run("bochs-amd64", "bochs", "amd64", verdicts="bochs-2.7.txt", lines=[
        r"^CPU 1 \(APIC ID \d+\) up", r"^VMX: VMXON ok",
        r"^# selftest: ok - 1000 hypercall round trips",
        r"^# selftest: ok - NMI sent by the BSP with NMIs intercepted arrives as an NMI VM exit",
        rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    Run("bochs-i386", "bochs", "i386", verdicts="bochs-2.7.txt", lines=[
        r"^nmi-lab .*, i386 build", r"^# selftest: ok - 1000 hypercall round trips",
        r"^# selftest: ok - NMI sent by the BSP", rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    # The x2APIC paths (MSR-based ICR, AP start-up, EOI) with the same verdicts.
    Run("bochs-i386-x2apic", "bochs", "i386", "x2apic", verdicts="bochs-2.7.txt",
        lines=[r"APIC mode x2APIC", rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    # A deliberately wrong expectation is reported, and recovery lets the next one pass.
    Run("bochs-amd64-break", "bochs", "amd64", "exp=12,20 break=12", status=1,
        only={12: "fail", 20: "pass"},
        lines=[r'^  expected: "timeout at ', r"^  # break=12: the model's first prediction was deliberately wrong",
               r"^SUMMARY: 20 tests, 1 unexpected failures, 0 known failures, 18 skipped"]),
    # Random scenarios against the model: Bochs 2.7's known deviations explain every
    # disagreement (batches of 100 are one test point each).
    Run("bochs-amd64-scenarios", "bochs", "amd64", "scenarios=300 seed=1", status=0,
        lines=[r"^# random scenarios 1-300 of seed 1, 100 to a test point$", r"^1\.\.3$",
               r"^(not )?ok 3 - scenarios 201-300 \(seed 1\): \d+ agree with the SDM's model",
               r"^# scenarios: 300 run \(seed 1\): \d+ agree with the SDM's model, \d+ with known deviations "
               r"\(entry-keeps-nmi-blocking \d+.*\), 0 diverge$",
               r"^# deviation entry-keeps-nmi-blocking \(Bochs 2\.7\): ",
               r"^SUMMARY: 3 tests, 0 unexpected failures"]),
    Run("bochs-i386-scenarios", "bochs", "i386", "scenarios=301-500 seed=2", status=0,
        lines=[r"^# random scenarios 301-500 of seed 2", r"^1\.\.2$",
               r"^(not )?ok 2 - scenarios 401-500 \(seed 2\)",
               r"^# scenarios: 200 run \(seed 2\): .*, 0 diverge$", r"^SUMMARY: 2 tests, 0 unexpected failures"]),
    # A scenario that disagrees with the model (break=: the model made wrong on purpose)
    # is named with how to run it alone, and shrunk to a reproducer in the notation.
    Run("bochs-amd64-scenario-break", "bochs", "amd64", "scenarios=101-200 seed=3 break=150", status=1,
        lines=[r"^# scenario 150 diverges at step \d+ \(alone: scenarios=150-150 seed=3\): expected ",
               r"^not ok 1 - scenarios 101-200 \(seed 3\): \d+ agree with the SDM's model, .*1 diverge$",
               r'^  scenario: "150"$', r"^  # scenario 150 \(seed 3\), as drawn; each EXPECT is the SDM model's:$",
               r"^  # the shortest scenario found that still diverges \(\d+ steps?, \d+ runs? to find it\)",
               r"^  # break=150: the model's first prediction was deliberately wrong",
               r"^  #   [HG]\([A-Z_]+\(", r"^SUMMARY: 1 tests, 1 unexpected failures"]),
    # The watchdog's bail-out in the middle of a batch: the batch so far is its test point.
    Run("bochs-amd64-scenario-watchdog", "bochs", "amd64", "scenarios=1-5 seed=1 hang=3", status=1,
        lines=[r"^# watchdog: no progress for \d+ ms in scenario 3, ",
               r"^not ok 1 - scenarios 1-3 \(seed 1\): ", r"^Bail out! ",
               r"^# 2 scenarios not run: the run bailed out$"]),
    # Without VMX there is nothing for a scenario to exercise.
    Run("qemu-scenarios", "qemu-bios", "amd64", "scenarios=100", status=77, timeout=60,
        lines=[r"^1\.\.0 # SKIP random scenarios "]),
    Run("bochs-amd64-random", "bochs", "amd64", "order=random iterations=800 seed=7",
        verdicts="bochs-2.7.txt", lines=[rf"^# random order: seed 7, 800 runs over {N}",
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
               r"^SUMMARY: 12 tests, 1 unexpected failures, 0 known failures, 11 skipped"]),
    # A stuck experimenter is named by the watchdog instead of hanging the run.
    Run("qemu-watchdog", "qemu-bios", "amd64", "exp=29,31 hang=31", status=1, timeout=60,
        only={29: "pass", 31: "fail"},
        lines=[r"^Bail out! watchdog: no progress for \d+ ms in experiment 31, step 1",
               r"^SUMMARY: 31 tests, 1 unexpected failures, 0 known failures, 29 skipped"]),
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
    Run("qemu-unknown-experiment", "qemu-bios", "amd64", "exp=29,250", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: exp= names experiment 250, which the catalogue does not have"]),
    # One CPU is not enough: said clearly, with an error status.
    Run("qemu-one-cpu", "qemu-bios", "amd64", status=1, timeout=60, smp=1,
        lines=[r"^Bail out! need two CPUs: ACPI lists only one"]),
    # With strict, known deviations count as failures; the summary says so.
    Run("bochs-amd64-strict", "bochs", "amd64", "exp=3,12,18 strict", status=1,
        only={3: "fail", 12: "pass", 18: "fail"},
        lines=[r'^  deviation: "known Bochs 2.7 deviation \[entry-keeps-nmi-blocking\] \(strict: counted as a failure\)"',
               r"^SUMMARY: 18 tests, 2 unexpected failures, 0 known failures, 15 skipped, "
               r"0 known deviations did not show \(strict"]),
    # A guest that exits at every VM entry (an NMI window kept open) is a storm: it ends
    # with a verdict that names it, and the run goes on.
    Run("bochs-amd64-storm", "bochs", "amd64", "exp=21,12 storm=21", status=1,
        only={21: "fail", 12: "pass"},
        lines=[r'^  observed: "exit storm: 257 EXIT_NMIW in \d+ us at 0x[0-9a-f]+',
               r"^SUMMARY: 21 tests, 1 unexpected failures, 0 known failures, 19 skipped",
               r"^EXIT: STATUS=1"]),
    # Events that land between a wait's "send now" and its HLT count as landing at the
    # HLT: stretching that window by 2 ms changes no verdict.
    Run("bochs-i386-ready-delay", "bochs", "i386", "ready_delay=2000", verdicts="bochs-2.7.txt",
        lines=[rf"^SUMMARY: {N} tests, 0 unexpected failures"]),
    Run("qemu-bios-amd64-ready-delay", "qemu-bios", "amd64", "ready_delay=2000", status=77,
        verdicts="qemu-tcg.txt"),
    # An NMI the generator did not send (firmware, a BMC, a nested hypervisor) is named,
    # the run is void, and the experiment runs again with its own verdict.
    Run("qemu-stray-nmi", "qemu-bios", "amd64", "exp=29,31 stray=29", status=77, timeout=60,
        only={29: "pass", 31: "known"},
        lines=[r"^# stray NMI at 0x[0-9a-f]+ \(after HLT\) \(NMI@H\) in step \d+: more NMIs arrived than the generator "
               r"had sent, in experiment 29: the run is void"]),
    Run("bochs-amd64-stray-nmi", "bochs", "amd64", "exp=8,12 stray=8", status=0,
        only={8: "pass", 12: "pass"},
        lines=[r"^# stray NMI at .*, in experiment 8: the run is void"]),
    # An extra NMI that comes back in the same step of every attempt is the platform's (a
    # duplicated NMI): the experiment fails, saying so, and the run goes on.
    Run("bochs-amd64-duplicate-nmi", "bochs", "amd64", "exp=8,12 duplicate=8", status=1,
        only={8: "fail", 12: "pass"},
        lines=[r"^# stray NMI at .*, in experiment 8: the run is void",
               r'^  observed: "2 NMIs arrived for 1 sent: the extra one at 0x[0-9a-f]+ \(after IRET\) \(NMI@H\), '
               r'in this step on every attempt',
               r"^SUMMARY: 12 tests, 1 unexpected failures, 0 known failures, 10 skipped"]),
    # The monitor trap flag exists only on Bochs's newer models: 68, 69, 81 and 84-86 run
    # there (Bochs 2.7 takes no MTF exit after any VM entry: no-mtf-after-entry).
    Run("bochs-amd64-icelake-mtf", "bochs", "amd64", "exp=66-71,81-86", cpu="corei7_icelake_u", status=0,
        only={66: "pass", 67: "pass", 68: "known", 69: "known", 70: "pass", 71: "known", 81: "known",
              82: "pass", 83: "known", 84: "known", 85: "known", 86: "known"},
        lines=[r"^not ok 81 - .* # TODO known Bochs 2\.7 deviation \[no-mtf-after-entry\]$"]),
    # A bad option is an error that names the valid keys, never ignored.
    Run("qemu-bad-option", "qemu-bios", "amd64", "exp=17 colour=blue", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: unknown option 'colour'; valid options: .*exp"]),

    # Issue 10: silicon hazards
    # No PIT (clock-gated on new laptops): it is seen not to count, and the TSC is timed
    # against the ACPI PM timer instead, within 10 % of a run with the PIT.
    Run("qemu-pit-off", "qemu-bios", "amd64", "exp=29", status=77, timeout=60,
        qemu=["--machine", "pit=off"], tsc_like="qemu-bios-amd64", only={29: "pass"},
        lines=[r"^Calibration: PIT unusable: port 0x61 reads 0xff",
               r"^Timer: TSC \d+ kHz, LAPIC timer \d+ kHz \(calibrated against ACPI PM timer\)"]),
    Run("qemu-pit-off-i386", "qemu-uefi", "i386", "exp=29", status=77, timeout=90,
        qemu=["--machine", "pit=off"], tsc_like="qemu-uefi-i386", only={29: "pass"},
        lines=[r"\(calibrated against ACPI PM timer\)"]),
    # Two cores with two threads each: the experimenter is on the other core, not the
    # BSP's sibling (APIC ID 1), and says so.
    Run("qemu-topology", "qemu-bios", "amd64", "exp=29", status=77, timeout=60,
        qemu=["--smp", "4,sockets=1,cores=2,threads=2"], only={29: "pass"},
        lines=[r"^CPUs: 4 enabled in the ACPI MADT \(APIC IDs 0, 1, 2, 3;",
               r"^Topology: SMT shift 1 \(CPUID 0xB\); the experimenter is APIC ID 2, on another core",
               r"^CPU 1 \(APIC ID 2\) up: the experimenter",
               r"^Experimenter: APIC ID 2; family \S+ model \S+ stepping \d+; core type .*; "
               r"microcode \S+; shares a core with the generator: no$"]),
    # The log on COM2 with no UART at COM1: the ACPI SPCR table names the port.
    Run("qemu-spcr-com2", "qemu-bios", "amd64", "exp=29", status=77, timeout=60,
        qemu=["--serial-com2"], acpi_table=spcr_table(0, 1, 0x2f8), only={29: "pass"},
        lines=[r"^Serial: 0x2f8 at 115200 baud \(the ACPI SPCR table\)$"]),
    Run("qemu-spcr-com2-uefi", "qemu-uefi", "amd64", "exp=29", status=77, timeout=90,
        qemu=["--serial-com2"], acpi_table=spcr_table(0, 1, 0x2f8), only={29: "pass"},
        lines=[r"^Serial: 0x2f8 at 115200 baud \(the ACPI SPCR table\)$"]),
    # serial= wins over the SPCR.
    Run("qemu-serial-option", "qemu-bios", "amd64", "exp=29 serial=0x2f8", status=77, timeout=60,
        qemu=["--serial-com2"], acpi_table=spcr_table(0, 1, 0x3f8), only={29: "pass"},
        lines=[r"^Serial: 0x2f8 at 115200 baud \(serial= on the command line\)$"]),
    # An SPCR console that is not an I/O-port 16550 is named, and COM1 used.
    Run("qemu-spcr-mmio", "qemu-bios", "amd64", "exp=29", status=77, timeout=60,
        acpi_table=spcr_table(0, 0, 0xfe030000), only={29: "pass"},
        lines=[r"^Serial: 0x3f8 at 115200 baud \(the default, COM1\); the ACPI SPCR names a "
               r"console this kernel cannot drive \(interface type 0x00, address 0xfe030000\)"]),
    # No UART where the log goes: the screen says so (and the serial log stays empty, so
    # the runner finds no EXIT line: status 2). The hang keeps the screen up for seconds
    # (the watchdog ends it), long enough to read it through QEMU's monitor.
    Run("qemu-no-uart", "qemu-bios", "amd64", "exp=31 hang=31 timeout=1", status=2, timeout=60,
        qemu=["--serial-com2"],
        screen=[r"^Serial: no UART at 0x3f8 \(the default, COM1\): the log is only on this scree",
                r"^nmi-lab .*, amd64 build"]),
    # Issue 12: nothing silently ignored (each is an error that names the problem), errors
    # on the port the user reads, never-run experiments reported as such, old CPUs.
    Run("qemu-option-twice", "qemu-bios", "amd64", "exp=29 exp=31", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'exp' is given twice; give each option once$",
               r"^EXIT: STATUS=1$"]),
    Run("qemu-seed-sequential", "qemu-bios", "amd64", "exp=29 seed=5", status=1, timeout=60,
        lines=[r"^Bail out! bad command line: option 'seed' applies only to order=random or scenarios= "
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
        lines=[r"^ok 29 # SKIP not run: ",
               r"^SUMMARY: 31 tests, 0 unexpected failures, 1 known failures, 30 skipped"]),
    # The amd64 build on a CPU without long mode (Bochs's Core Duo): a message naming the
    # i386 entry and an error status, not a triple fault; and without PAE under QEMU.
    Run("bochs-amd64-no-long-mode", "bochs", "amd64", cpu="core_duo_t2400_yonah", status=1,
        timeout=120, lines=[r"^Bail out! this CPU has no long mode \(CPUID.80000001H:EDX\[29\] = 0\): "
                            r"the amd64 build cannot run on it; boot the i386 build \(GRUB menu entry id 'i386'",
                            r"^EXIT: STATUS=1$"]),
    # ... where the i386 build, which the message names, runs (that CPU lacks virtual NMIs).
    Run("bochs-i386-core-duo", "bochs", "i386", "exp=1,12,29", cpu="core_duo_t2400_yonah",
        only={1: "pass", 12: "skip", 29: "pass"},
        lines=[r"^VMX: VMXON ok", r"^ok 12 # SKIP this CPU lacks virtual NMIs \(pin-based control bit 5\)"]),
    Run("qemu-amd64-no-pae", "qemu-bios", "amd64", cpu="qemu64,-pae", status=1, timeout=60,
        lines=[r"^Bail out! this CPU has no PAE \(CPUID.01H:EDX\[6\] = 0\)", r"^EXIT: STATUS=1$"]),

    # Issue 16: the SVM catalogue on QEMU TCG (with VGIF; no NRIP save, no vNMI under TCG)
    # and on Bochs 2.7's ryzen (NRIP save; no VGIF, no vNMI), both builds.
    *[Run(f"qemu-{firmware}-{arch}-svm", f"qemu-{firmware}", arch, cpu=QEMU_SVM, verdicts="qemu-tcg-svm.txt",
          timeout=90, lines=[r"^Backend: SVM \(", r"^Catalogue: svm$", r"^SVM: .*VGIF yes",
                             r"^# selftest: ok - 1000 hypercall round trips",
                             r"^# selftest: ok - NMI sent by the BSP with NMIs intercepted arrives",
                             r"^ok 1 # SKIP not in the SVM catalogue$",
                             rf"^SUMMARY: {SVM_LAST} tests, 0 unexpected failures"])
      for firmware in ("bios", "uefi") for arch in ("amd64", "i386")],
    *[Run(f"bochs-{arch}-svm", "bochs", arch, cpu="ryzen", verdicts="bochs-2.7-svm.txt",
          lines=[r"^Backend: SVM \(", r"^Catalogue: svm$", r"^SVM: .*NRIP save yes",
                 r"^# selftest: ok - NMI sent by the BSP with NMIs intercepted arrives",
                 rf"^SUMMARY: {SVM_LAST} tests, 0 unexpected failures"])
      for arch in ("amd64", "i386")],
    # A stuck SVM guest: no INIT (it would reset the experimenter), the watchdog bails out
    # at once, naming the experiment and step, with the summary.
    Run("qemu-svm-watchdog", "qemu-bios", "amd64", "exp=101,102 hang=101", cpu=QEMU_SVM, status=1, timeout=60,
        only={101: "fail"},
        lines=[r"^Bail out! watchdog: no progress for \d+ ms in experiment 101, step 2 \(wait",
               r"^SUMMARY: 102 tests, 1 unexpected failures"]),
    # exp= may name the other catalogue's experiments: they are skipped, with the reason.
    Run("qemu-svm-names-vmx", "qemu-bios", "amd64", "exp=29,101", cpu=QEMU_SVM, timeout=60,
        only={29: "skip", 101: "pass"},
        lines=[r"^ok 29 # SKIP in the VMX catalogue: this run uses the SVM catalogue$"]),
]


def compare_tsc(log, reference, reference_log):
    """Yields the check that a log's banner TSC frequency is within 10 % of reference's."""
    ours, theirs = banner_tsc_khz(log), banner_tsc_khz(reference_log)
    ok = ours is not None and theirs is not None and abs(ours - theirs) * 10 <= theirs
    yield ok, f"TSC {ours} kHz within 10 % of {reference}'s {theirs} kHz"


def main():
    selected = [r for r in RUNS if not sys.argv[1:] or r.name in sys.argv[1:]]
    # A run compared with another needs that one's log too.
    needed = selected + [r for r in RUNS if r not in selected and
                         any(s.tsc_like == r.name for s in selected)]
    passed = failed = 0
    took = {}

    def timed_boot(run):
        start = time.monotonic()
        try:
            return boot(run)
        finally:
            took[run.name] = time.monotonic() - start

    # Bochs runs are single-threaded: two at a time use both cores.
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = {r.name: pool.submit(timed_boot, r) for r in needed}
        for run in selected:
            status, log = results[run.name].result()
            checks = list(check(run, status, log))
            if run.tsc_like:
                checks += compare_tsc(log, run.tsc_like, results[run.tsc_like].result()[1])
            for ok, what in checks:
                print(f"{'PASS' if ok else 'FAIL'} {run.name}: {what}")
                passed += ok
                failed += not ok
    slowest = sorted(took.items(), key=lambda item: -item[1])[:5]
    print(f"# {len(took)} boots in {time.monotonic() - started:.0f} s wall, two at a time; the slowest: "
          + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slowest))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
