"""Serial log -> a clean TAP 13 document (scripts/log2tap; the runners write one next to
every raw log).

The raw log is what the UART carried: GRUB's menu drawn with VT100 escapes, CRLF line
ends, the banner, verbose trace lines. The .tap keeps only the TAP stream, with LF line
ends and no escape sequences: "TAP version 13" first, then the plan, the results, their
YAML blocks, TAP comments and "Bail out!". The kernel's own lines that are not TAP (the
banner's "Key: value" facts, SUMMARY, EXIT, a FATAL report) become TAP comments, so the
file still says what ran where. Nothing is re-worded: a line the kernel printed wrongly
(an unescaped "#" in a title, say) stays wrong, and TAP consumers see what they would see.

A log that holds several boots (a reset) gives the TAP of the last one, the one whose
EXIT line the runner reports; a YAML block cut off by the end of the log is closed, so
that the document stays well formed.
"""

import re

from .parse import _BANNER, _TAP_VERSION, _YAML_END, clean_lines

_PLAN = re.compile(r"^1\.\.\d+(?:\s*#.*)?$")
_RESULT = re.compile(r"^(?:not ok|ok)\b")
_BAIL_OUT = re.compile(r"^Bail out!")
_COMMENT = re.compile(r"^#")
_INDENTED_COMMENT = re.compile(r"^\s+#")
_YAML_START = re.compile(r"^(?P<indent>\s+)---$")
_KERNEL_FACT = re.compile(r"^(?:SUMMARY|EXIT|FATAL): ")
_INDENTED = re.compile(r"^\s+\S")


def _boots(lines: list[str]) -> list[list[str]]:
    """The log cut at each banner line ("nmi-lab 0.1.0 (git ...), amd64 build")."""
    starts = [index for index, line in enumerate(lines) if _BANNER.search(line)]
    if not starts:
        return [lines]
    boots = [lines[start:end] for start, end in zip(starts, starts[1:] + [len(lines)])]
    boots[0] = lines[:starts[0]] + boots[0]   # a bail-out before the first banner stays in the first
    return boots


def _tap_of_boot(lines: list[str]) -> list[str]:
    out: list[str] = []
    banner_seen = tap_started = in_yaml = in_fatal = False
    for line in lines:
        if not line.strip():
            continue
        if in_yaml:
            if _YAML_END.match(line):
                out.append(line)
                in_yaml = False
                continue
            if _INDENTED.match(line):
                out.append(line)
                continue
            out.append("  ...")   # the block was cut off: close it before the next line
            in_yaml = False
        if in_fatal and _INDENTED.match(line):
            out.append("#   " + line.strip())
            continue
        in_fatal = False
        if _BANNER.search(line):
            banner_seen = True
            out.append("# " + line.strip())
        elif _TAP_VERSION.match(line):
            tap_started = True
        elif _BAIL_OUT.match(line):
            out.append(line)
        elif _KERNEL_FACT.match(line):
            out.append("# " + line)
            in_fatal = line.startswith("FATAL")
        elif not tap_started:
            # The banner and the self-test, as comments; what precedes the banner is GRUB's.
            if _COMMENT.match(line):
                out.append(line)
            elif banner_seen:
                out.append("# " + line)
        elif _PLAN.match(line) or _RESULT.match(line) or _COMMENT.match(line) or _INDENTED_COMMENT.match(line):
            out.append(line)
        elif m := _YAML_START.match(line):
            out.append(line)
            in_yaml = True
        # Anything else after "TAP version" (the verbose trace, noise) is not TAP: left out.
    if in_yaml:
        out += ["  ...", "# log2tap: the log ends inside this YAML block (closed here)"]
    return out


def _has_tap(lines: list[str]) -> bool:
    return any(_TAP_VERSION.match(line) or _RESULT.match(line) or _BAIL_OUT.match(line) for line in lines)


def extract_tap(raw: bytes) -> str:
    """The clean TAP 13 text of a serial log (see the module's description)."""
    boots = _boots(clean_lines(raw))
    with_tap = [boot for boot in boots if _has_tap(boot)] or boots[-1:]
    out = ["TAP version 13"]
    if len(boots) > 1:
        out.append(f"# log2tap: the log holds {len(boots)} boots; this is the TAP of the last one with TAP output")
    out += _tap_of_boot(with_tap[-1])
    return "\n".join(out) + "\n"
