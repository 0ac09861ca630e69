"""Signals and pipes: how a run stops when asked to, or when its reader goes away.

SIGINT, SIGTERM and SIGHUP raise `Interrupted` (a KeyboardInterrupt, so every cleanup written for Ctrl-C
runs: temp files and temp folders are removed, encoders are stopped). The process then exits with
128 + the signal number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP). A second signal during that cleanup
is ignored, so the cleanup finishes.

A reader that goes away (`fxe ... | head -c 10`) ends the run silently with exit 141 (128 + SIGPIPE),
also when the whole output had fit into the pipe before the reader left: at exit, fxe waits briefly
for a pipe on stdout to be drained, and a reader that closed it with data unread is a broken pipe.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import time

from fxcli.errors import EXIT_BROKEN_PIPE  # noqa: F401 - 128 + SIGPIPE, used by the CLI

SIGNALS = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
DRAIN_WAIT_S = 1.0  # how long to wait at exit for the reader of a stdout pipe


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal; `exit_code` is 128 + its number."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(SIGNALS.get(signum, f"signal {signum}"))
        self.signum = signum
        self.exit_code = 128 + int(signum)


reported = False  # set once the interrupt line was printed
GRACE_S = 8.0  # the cleanup after a signal gets this long; then temps are removed and the process exits


def _handler(signum, _frame):
    import threading

    for s in SIGNALS:  # a second signal must not cut the cleanup short
        with contextlib.suppress(ValueError, OSError):
            signal.signal(s, signal.SIG_IGN)
    # an exception raised at an arbitrary point can leave a worker thread waiting forever: a watchdog
    # makes sure the run still ends, without temp files, with the signal's exit status
    timer = threading.Timer(GRACE_S, _force_exit, args=(signum,))
    timer.daemon = True
    timer.start()
    raise Interrupted(signum)


def _force_exit(signum: int) -> None:
    from fxcli.io.atomic import remove_live_temps

    remove_live_temps()
    if not reported:
        with contextlib.suppress(OSError):
            os.write(2, b"fxe: interrupted; no partial output was left\n")
    os._exit(128 + int(signum))


def install() -> dict:
    """Turn SIGINT/SIGTERM/SIGHUP into `Interrupted` (main thread only; signals ignored at start stay so).

    Returns the previous handlers, for `restore` (when fxe runs inside another Python program).
    """
    previous = {}
    for s in SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            old = signal.getsignal(s)
            if old is signal.SIG_IGN and s != signal.SIGINT:
                continue  # e.g. `nohup fxe ...`: SIGHUP stays ignored
            signal.signal(s, _handler)
            previous[s] = old
    return previous


def restore(previous: dict) -> None:
    for s, handler in previous.items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def exit_code_of(exc: BaseException) -> int:
    return getattr(exc, "exit_code", 128 + int(signal.SIGINT))


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush cannot complain."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def is_broken_pipe(exc: BaseException) -> bool:
    import errno

    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def stdout_reader_left(wait_s: float = DRAIN_WAIT_S) -> bool:
    """True when stdout is a pipe whose reader closed it before reading everything fxe wrote.

    Waits up to `wait_s` for the reader to drain the pipe; a reader still alive after that is trusted.
    """
    import fcntl
    import select
    import termios

    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (BrokenPipeError, OSError):
        return True
    except ValueError:
        return False
    try:
        if not stat.S_ISFIFO(os.fstat(1).st_mode):
            return False
    except OSError:
        return False
    deadline = time.monotonic() + wait_s
    buf = bytearray(4)
    while True:
        try:
            poller = select.poll()
            poller.register(1, select.POLLOUT)
            events = poller.poll(0)
            if any(ev & select.POLLERR for _, ev in events):
                return _unread(fcntl, termios, buf)
            if not _unread(fcntl, termios, buf):
                return False
        except OSError:
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)


def _unread(fcntl, termios, buf: bytearray) -> bool:
    """Bytes still in the stdout pipe (Linux answers FIONREAD on either end of a pipe)."""
    try:
        fcntl.ioctl(1, termios.FIONREAD, buf)
    except OSError:
        return False
    return int.from_bytes(buf, sys.byteorder) > 0
