"""What the report says about one run: its card (the facts every format prints, in the
same order), and the phrases the matrix and the formats reuse (its label, how it ended)."""

import datetime
from collections import Counter

from .baseline import BaselineRun
from .legend import NOT_RUN_TEXT, VERDICT_TEXT
from .model import EXIT_STATUS_MEANINGS, VMX_UNUSABLE, Banner, Run, Verdict
from .scenarios import scenario_card_text


# --- what a run is called, and how it ended --------------------------------------------------

def run_label(run: Run) -> str:
    """"Bochs amd64 BIOS": platform, build and boot path, as far as the banner tells."""
    banner = run.banner
    if banner.is_empty():
        return f"unknown platform ({run.log_name})"
    parts = [banner.platform or "unknown platform", banner.arch, short_boot_path(banner)]
    return " ".join(part for part in parts if part)


def short_boot_path(banner: Banner) -> str | None:
    if banner.firmware in ("BIOS", "UEFI"):
        return banner.firmware
    # multiboot1 cannot tell BIOS from UEFI; the kernel says so at length.
    return f"multiboot{banner.multiboot}" if banner.multiboot else banner.firmware


def incomplete_reason(run: Run) -> str:
    if run.bail_out:
        where = "" if run.tap_seen else " (before the TAP stream)"
        return f"Bail out!{where} {run.bail_out}"
    if run.fatal:
        return f"FATAL: {run.fatal[0]}"
    if not run.tap_seen:
        return "the log ends before the TAP stream"
    if run.scenarios:   # its test points are batches of scenarios
        last = next(reversed(run.scenarios.batches), None)
        where = f"after test point {last}" if last is not None else "before the first test point"
    else:
        last = run.last_reported_number()
        where = f"after experiment {last}" if last is not None else "before the first result"
    return f'the log ends {where} (last line: "{run.last_line[:120]}")'


def run_status(run: Run) -> str:
    if run.complete:
        return "complete"
    return f"incomplete run: {incomplete_reason(run)}"


def exit_text(run: Run) -> str:
    if run.exit_status is None:
        return "none (the log has no EXIT line)"
    meaning = EXIT_STATUS_MEANINGS.get(run.exit_status, "unknown status")
    return f"STATUS={run.exit_status} ({meaning})"


def log_date(run: Run) -> str:
    if run.log_mtime is None:
        return "unknown"
    when = datetime.datetime.fromtimestamp(run.log_mtime, tz=datetime.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def vmx_text(banner: Banner) -> str:
    if banner.vmx_available is None:
        return "not reported"
    if not banner.vmx_available:
        return next(line for line in banner.vmx if line.startswith(VMX_UNUSABLE))
    features = [line.split(": ", 1)[1] for line in banner.vmx
                if line.startswith(("pin-based", "proc-based")) and ": " in line]
    return "; ".join(["available", *features])


def verdict_counts_text(run: Run) -> str:
    """"14 reported of 38 planned: 8 PASS, 4 FAIL, 2 TIMEOUT"; a scenario run's test points
    are its batches ("3 test points reported of 3 planned: 3 XFAIL")."""
    points = run.test_points()
    counts = Counter(point.verdict for point in points)
    shown = ", ".join(f"{counts[v]} {VERDICT_TEXT[v] or NOT_RUN_TEXT}" for v in Verdict if counts[v])
    plan = f" of {run.plan} planned" if run.plan is not None else ""
    what = ("test point " if len(points) == 1 else "test points ") if run.scenarios else ""
    return f"{len(points)} {what}reported{plan}" + (f": {shown}" if shown else "")


def command_line_options(command_line: str | None) -> dict[str, str | bool] | None:
    """"exp=17 verbose" -> {"exp": "17", "verbose": True} (the kernel's own syntax)."""
    if command_line is None:
        return None
    options: dict[str, str | bool] = {}
    for word in command_line.split():
        key, sep, value = word.partition("=")
        options[key] = value if sep else True
    return options


# --- the card -----------------------------------------------------------------------------------

# Banner keys the card shows in its own words (the rest are listed as they came).
_SHOWN_KEYS = {"Boot", "CPU", "Platform", "Timer", "CPUs", "VMX"}


def run_facts(run: Run, warnings: list[str], baseline: BaselineRun | None = None) -> list[tuple[str, str]]:
    """(name, value) pairs in display order; the same list feeds Markdown, HTML and JUnit.
    The warnings and the baseline run are the report's (the matrix's column)."""
    return [("Status", run_status(run)), ("Log", f"{run.log_name} (modified {log_date(run)})"),
            *_banner_facts(run.banner), *_stream_facts(run), *_report_facts(run, warnings, baseline)]


_UNKNOWN = "not in the log"


def _banner_facts(b: Banner) -> list[tuple[str, str]]:
    """What the banner says: its known facts in the card's words, then the rest as they came."""
    facts = [
        ("Platform", _platform_text(b)),
        ("CPU", b.cpu_brand or _UNKNOWN),
        ("CPU model", f"{b.cpu_vendor} {b.cpu_signature}" if b.cpu_vendor else _UNKNOWN),
        ("Build", f"{b.arch or _UNKNOWN}, nmi-lab {b.version or '?'}"),
        ("Git", b.git_rev or _UNKNOWN),
        ("Boot", _boot_text(b)),
        ("Command line", f'"{b.command_line}"' if b.command_line is not None else _UNKNOWN),
        ("VMX", vmx_text(b)),
        ("Timer", b.timer or _UNKNOWN),
        ("CPUs", b.cpus or _UNKNOWN),
    ]
    return facts + [(key, " | ".join(values)) for key, values in b.facts().items() if key not in _SHOWN_KEYS]


def _platform_text(b: Banner) -> str:
    platform = b.platform or _UNKNOWN
    if b.hypervisor_signature:
        platform += f' (CPUID 0x40000000 "{b.hypervisor_signature}")'
    return platform


def _boot_text(b: Banner) -> str:
    return ", ".join(part for part in (b.firmware, b.multiboot and f"multiboot{b.multiboot}",
                                       b.loader and f'loader "{b.loader}"') if part) or _UNKNOWN


def _stream_facts(run: Run) -> list[tuple[str, str]]:
    """How the run went: the order, the self-test, the results and how it ended."""
    facts = []
    if run.random_order:
        r = run.random_order
        facts.append(("Order", f"random: seed {r.seed}, {r.runs} runs over {r.experiments} experiments"))
    if run.scenarios:
        facts.append(("Scenarios", scenario_card_text(run.scenarios)))
    if run.selftests:
        facts.append(("Self-test", " | ".join(_selftest_text(line) for line in run.selftests)))
    return facts + [
        ("Results", verdict_counts_text(run)),
        ("Summary", run.summary.text() if run.summary else "none (incomplete run)"),
        ("Exit", exit_text(run)),
    ]


def _report_facts(run: Run, warnings: list[str], baseline: BaselineRun | None) -> list[tuple[str, str]]:
    """What is left for a reader: the baseline run, the crash dump, the log's comments, warnings."""
    facts = []
    if baseline is not None:
        facts.append(("Baseline", f"{baseline.label} ({baseline.run_id})"))
    if len(run.fatal) > 1:
        facts.append(("Crash dump", " | ".join(run.fatal[1:])))
    if run.comments:
        facts.append(("Log comments", _capped(run.comments, MAX_COMMENTS_SHOWN)))
    if warnings:
        facts.append(("Warnings", "; ".join(warnings)))
    return facts


def _selftest_text(line: str) -> str:
    """A passed self-test's measurements are noise in a card; a failed one's are the point."""
    return line.split("; ", 1)[0] if line.startswith("ok") else line


# A random-order run logs one comment per failed run (thousands, possibly).
MAX_COMMENTS_SHOWN = 6


def _capped(lines: list[str], limit: int) -> str:
    shown = " | ".join(lines[:limit])
    hidden = len(lines) - limit
    return shown + (f" | ... and {hidden} more" if hidden > 0 else "")
