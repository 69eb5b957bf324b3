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

from .grammar import (BAIL_OUT, BANNER, COMMENT, ENDING_LINE, INDENTED, INDENTED_COMMENT, PLAN, TAP_RESULT,
                      TAP_VERSION, YAML_END, YAML_START)
from .parse import clean_lines


def _boots(lines: list[str]) -> list[list[str]]:
    """The log cut at each banner line ("nmi-lab 0.1.0 (git ...), amd64 build")."""
    starts = [index for index, line in enumerate(lines) if BANNER.search(line)]
    if not starts:
        return [lines]
    boots = [lines[start:end] for start, end in zip(starts, starts[1:] + [len(lines)])]
    boots[0] = lines[:starts[0]] + boots[0]   # a bail-out before the first banner stays in the first
    return boots


class _BootTap:
    """The TAP of one boot, fed line by line."""

    def __init__(self):
        self.out: list[str] = []
        self.banner_seen = self.tap_started = self.in_yaml = self.in_fatal = False

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        if self.in_yaml and self._yaml_line(line):
            return
        if self.in_fatal and INDENTED.match(line):
            self.out.append("#   " + line.strip())
            return
        self.in_fatal = False
        self._line(line)

    def finish(self) -> list[str]:
        if self.in_yaml:
            self.out += ["  ...", "# log2tap: the log ends inside this YAML block (closed here)"]
        return self.out

    def _yaml_line(self, line: str) -> bool:
        """True if the line belongs to the open YAML block; a block cut off is closed."""
        if INDENTED.match(line):   # its body, or its end
            self.out.append(line)
            self.in_yaml = not YAML_END.match(line)
            return True
        self.out.append("  ...")   # the block was cut off: close it before the next line
        self.in_yaml = False
        return False

    def _line(self, line: str) -> None:
        if BANNER.search(line):
            self.banner_seen = True
            self.out.append("# " + line.strip())
        elif TAP_VERSION.match(line):
            self.tap_started = True
        elif BAIL_OUT.match(line):
            self.out.append(line)
        elif ENDING_LINE.match(line):
            self.out.append("# " + line)
            self.in_fatal = line.startswith("FATAL")
        elif not self.tap_started:
            self._before_stream(line)
        else:
            self._stream_line(line)

    def _before_stream(self, line: str) -> None:
        """The banner and the self-test, as comments; what precedes the banner is GRUB's."""
        if COMMENT.match(line):
            self.out.append(line)
        elif self.banner_seen:
            self.out.append("# " + line)

    def _stream_line(self, line: str) -> None:
        if PLAN.match(line) or TAP_RESULT.match(line) or COMMENT.match(line) or INDENTED_COMMENT.match(line):
            self.out.append(line)
        elif YAML_START.match(line):
            self.out.append(line)
            self.in_yaml = True
        # Anything else after "TAP version" (the verbose trace, noise) is not TAP: left out.


def _tap_of_boot(lines: list[str]) -> list[str]:
    tap = _BootTap()
    for line in lines:
        tap.feed(line)
    return tap.finish()


def _has_tap(lines: list[str]) -> bool:
    return any(TAP_VERSION.match(line) or TAP_RESULT.match(line) or BAIL_OUT.match(line) for line in lines)


def extract_tap(raw: bytes) -> str:
    """The clean TAP 13 text of a serial log (see the module's description)."""
    boots = _boots(clean_lines(raw))
    with_tap = [boot for boot in boots if _has_tap(boot)] or boots[-1:]
    out = ["TAP version 13"]
    if len(boots) > 1:
        out.append(f"# log2tap: the log holds {len(boots)} boots; this is the TAP of the last one with TAP output")
    out += _tap_of_boot(with_tap[-1])
    return "\n".join(out) + "\n"
