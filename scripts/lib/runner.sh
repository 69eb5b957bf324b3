# shellcheck shell=bash
# Shared by scripts/run-bochs and scripts/run-qemu (sourced, not executed).
#
# The caller sets PROG (for messages) and then uses:
#   runner_setup_logs LOG      -> SERIAL_LOG, TAP_LOG, EMU_LOG, RUN_DIR (temp dir)
#   runner_start SECONDS CMD...-> runs CMD under 'timeout -s KILL', streams
#                                 the serial log (unless QUIET=1), waits,
#                                 sets EMU_RC and TIMED_OUT
#   runner_exit_status         -> prints N from the last 'EXIT: STATUS=N' line
#   runner_no_exit_line        -> exits 124 (timeout) or 2 (crash) with a message,
#                                 quoting EMU_ALERT_RE lines of the emulator log
# Whatever way a run ends (an EXIT line, a timeout, a crash, ^C), the EXIT trap writes
# the clean TAP 13 document next to the raw log (scripts/log2tap) and prints where the
# serial log, the .tap and the emulator's log are.
#
# Exit statuses shared by both runners:
#   N    from the kernel's final 'EXIT: STATUS=N' line (0 pass, 1 fail, 77 skip)
#   124  timed out without an EXIT line
#   2    emulator ended without an EXIT line, or a usage/setup error

QUIET=${QUIET:-0}  # set to 1 by the callers' --quiet
RUN_DIR=""        # temp dir holding the emulator's config and path aliases
RUN_PID=""        # pid of 'timeout'; the emulator is its only child
RUN_REAPED=0      # 1 once we have waited for RUN_PID (its pid may be reused)
STREAM_PID=""     # pid of the live log streamer
START_NS=""
SERIAL_LOG=""
TAP_LOG=""
EMU_LOG=""
RUN_STARTED=0     # 1 once the emulator was started: the logs are then worth pointing at
RUNNER_SCRIPTS=$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")/..
EMU_ALERT_RE=${EMU_ALERT_RE:-}   # caller: ERE for the emulator log lines worth showing on a crash
EMU_RC=0
TIMED_OUT=0

die() { echo "$PROG: $*" >&2; exit 2; }

need_value() {  # <option> <number of remaining args>
    (($2 >= 2)) || die "$1 needs a value (see --help)"
}

check_uint() {  # <option> <value> <minimum>
    if ! [[ $2 =~ ^[0-9]{1,15}$ ]] || ((10#$2 < $3)); then
        die "$1: expected a whole number >= $3, got '$2'"
    fi
}

# --- cleanup: nothing may outlive us, whatever way we leave --------------------

runner_kill_emulator() {
    [[ -n $RUN_PID ]] && ((RUN_REAPED == 0)) || return 0
    # SIGKILL (Bochs ignores SIGTERM) the emulator, then let 'timeout' reap
    # it and exit by itself: killing 'timeout' at once would leave the
    # emulator as an orphaned zombie. Kill 'timeout' only if it lingers.
    pkill -KILL -P "$RUN_PID" 2>/dev/null || true
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        kill -0 "$RUN_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$RUN_PID" 2>/dev/null || true
    { wait "$RUN_PID"; } 2>/dev/null || true   # no "Killed" job notice from bash
    RUN_REAPED=1
}

runner_stop_stream() {
    [[ -n $STREAM_PID ]] || return 0
    # 'tail --pid' ends on its own shortly after the emulator; give it that
    # chance so the last lines get printed, then make sure it is gone.
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$STREAM_PID" 2>/dev/null || break
        sleep 0.1
    done
    pkill -KILL -P "$STREAM_PID" 2>/dev/null || true
    kill -KILL "$STREAM_PID" 2>/dev/null || true
    wait "$STREAM_PID" 2>/dev/null || true
    STREAM_PID=""
}

runner_wall_time() {
    [[ -n $START_NS ]] || return 0
    local ms=$((($(date +%s%N) - START_NS) / 1000000))
    printf '%s: wall time %d.%01d s\n' "$PROG" $((ms / 1000)) $((ms % 1000 / 100)) >&"$RUNNER_STDERR"
    START_NS=""
}

# The raw serial log stays byte-exact; the .tap beside it is what TAP consumers (prove,
# tap-parser, CI) should read: LF line ends, no escape sequences, no GRUB output.
runner_write_tap() {
    ((RUN_STARTED)) || return 0
    if ! "$RUNNER_SCRIPTS/log2tap" "$SERIAL_LOG" "$TAP_LOG" 2>&"$RUNNER_STDERR"; then
        echo "$PROG: warning: could not write $TAP_LOG (scripts/log2tap failed; python3 missing? run scripts/deps)" >&"$RUNNER_STDERR"
        TAP_LOG=""
    fi
}

runner_print_logs() {
    ((RUN_STARTED)) || return 0
    {
        echo "$PROG: serial log: $SERIAL_LOG"
        [[ -z $TAP_LOG ]] || echo "$PROG: TAP:        $TAP_LOG"
        echo "$PROG: emulator:   $EMU_LOG"
    } >&"$RUNNER_STDERR"
}

runner_cleanup() {
    runner_kill_emulator
    runner_stop_stream
    runner_write_tap
    runner_print_logs
    runner_wall_time
    [[ -z $RUN_DIR ]] || rm -rf -- "$RUN_DIR"
}

runner_on_signal() {
    echo "$PROG: interrupted; stopping the emulator" >&"$RUNNER_STDERR"
    exit 130   # the EXIT trap does the cleanup
}

# The traps can run while stderr is redirected (see 'wait' below), so they
# write to a copy of the original stderr.
exec {RUNNER_STDERR}>&2
trap runner_cleanup EXIT
trap runner_on_signal INT TERM HUP

# --- logs ------------------------------------------------------------------------

# Serial log at LOG; next to it <LOG minus .log>.tap (its TAP stream, written at the end)
# and <LOG minus .log>.emulator.log (the emulator's own output).
runner_setup_logs() {  # <serial log path>
    local log=$1 dir
    dir=$(dirname -- "$log")
    mkdir -p -- "$dir" || die "cannot create log directory $dir"
    SERIAL_LOG=$(realpath -m -- "$log")
    TAP_LOG="${SERIAL_LOG%.log}.tap"
    EMU_LOG="${SERIAL_LOG%.log}.emulator.log"
    : >"$SERIAL_LOG" || die "cannot write $SERIAL_LOG"
    rm -f -- "$TAP_LOG"   # a stale .tap must not pass for this run's
    : >"$EMU_LOG" || die "cannot write $EMU_LOG"
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/${PROG}.XXXXXX") || die "cannot create a temp dir"
    # Emulator option parsers split on commas (and QEMU on colons), so the
    # emulators only ever see these plain aliases, never the user's paths.
    ln -s -- "$SERIAL_LOG" "$RUN_DIR/serial.log"
}

# Alias for the ISO inside RUN_DIR (see above); prints the alias path.
runner_link_iso() {  # <iso>
    [[ -f $1 && -r $1 ]] || die "no such readable ISO: $1"
    ln -s -- "$(realpath -- "$1")" "$RUN_DIR/boot.iso"
    echo "# boot.iso is $(realpath -- "$1")" >>"$EMU_LOG"
    echo "$RUN_DIR/boot.iso"
}

# --- running ----------------------------------------------------------------------

# Live view of the serial log. GRUB drives the serial line as a vt100 (cursor
# moves, screen clears), so for the terminal a cursor move becomes a newline,
# other escape sequences and CRs go, and runs of blank lines are squeezed.
# The log file itself stays byte-exact.
runner_stream() {
    # A subshell, so that STREAM_PID is the parent of tail, sed and cat.
    (
        tail -n +1 -s 0.2 -f --pid="$RUN_PID" -- "$SERIAL_LOG" 2>/dev/null \
            | sed -u -e 's/\x1b\[[0-9]*;[0-9]*H/\n/g' \
                     -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' \
                     -e 's/\x1b[=>78]//g' -e 's/\r//g' \
                     -e 's/[ \t]*\n/\n/g' -e 's/[ \t]*$//' \
            | cat -s
    ) &
    STREAM_PID=$!
}

runner_start() {  # <timeout seconds> <command...>
    local seconds=$1
    shift
    START_NS=$(date +%s%N)
    RUN_STARTED=1
    {
        echo "# $PROG: $(date -u +%Y-%m-%dT%H:%M:%SZ), timeout ${seconds}s"
        echo "# command: $*"
    } >>"$EMU_LOG"
    # --foreground: without it 'timeout' SIGKILLs its whole process group,
    # itself included, and the emulator is left as an orphaned zombie for
    # init to reap; with it 'timeout' kills and reaps just the emulator.
    # stdin from /dev/null: Bochs' debugger would otherwise read the terminal.
    timeout --foreground -s KILL "$seconds" "$@" </dev/null >>"$EMU_LOG" 2>&1 {RUNNER_STDERR}>&- &
    RUN_PID=$!
    ((QUIET)) || runner_stream
    EMU_RC=0
    { wait "$RUN_PID"; } 2>/dev/null || EMU_RC=$?
    RUN_REAPED=1
    local elapsed_s=$((($(date +%s%N) - START_NS) / 1000000000))
    # With -s KILL, 'timeout' reports 137 (128 + SIGKILL) rather than 124;
    # the elapsed time tells it apart from an emulator killed by something else.
    if ((EMU_RC == 137 && elapsed_s >= seconds)); then TIMED_OUT=1; fi
    runner_stop_stream
}

# --- verdict -----------------------------------------------------------------------

# Prints N from the last 'EXIT: STATUS=N' line of the serial log, or nothing.
runner_exit_status() {
    { grep -aoE 'EXIT: STATUS=[0-9]+' -- "$SERIAL_LOG" || true; } | tail -n 1 | sed 's/.*=//'
}

# Exits 0..255 with the kernel's status (a larger N is reported and gives 2).
runner_exit_with() {  # <N>
    local n=$1
    if ((10#$n > 255)); then
        echo "$PROG: kernel reported EXIT: STATUS=$n, which is not a valid exit status" >&2
        exit 2
    fi
    exit $((10#$n))
}

runner_no_exit_line() {  # <timeout seconds> [extra note]
    if ((TIMED_OUT)); then
        echo "$PROG: timed out after $1 s (no EXIT line)" >&2
        exit 124
    fi
    echo "$PROG: emulator ended without an EXIT line (crash?)${2:+ $2}" >&2
    # The interesting line (e.g. Bochs' triple-fault panic) is often followed
    # by a long register dump, so show matching lines before the tail.
    if [[ -n ${EMU_ALERT_RE-} ]] && grep -qaE -- "$EMU_ALERT_RE" "$EMU_LOG"; then
        echo "$PROG: panics/errors in $EMU_LOG (last 10):" >&2
        grep -aE -- "$EMU_ALERT_RE" "$EMU_LOG" | tail -n 10 | sed 's/^/    /' >&2
    fi
    echo "$PROG: emulator exit status $EMU_RC; last lines of $EMU_LOG:" >&2
    tail -n 15 -- "$EMU_LOG" | sed 's/^/    /' >&2
    exit 2
}
