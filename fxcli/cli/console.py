"""The one stderr console: messages for people, gated by verbosity; rich only on a terminal.

Data goes to stdout elsewhere; nothing here writes to stdout. NO_COLOR is honoured.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable


class Console:
    def __init__(self) -> None:
        self.verbosity = 0  # -1 quiet, 0 normal, 1+ verbose
        self._rich = None

    @property
    def is_terminal(self) -> bool:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())

    def _rich_console(self):
        if self._rich is None:
            from rich.console import Console as RichConsole

            self._rich = RichConsole(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
        return self._rich

    def _emit(self, text: str, style: str | None = None) -> None:
        if self.is_terminal and style and not os.environ.get("NO_COLOR"):
            self._rich_console().print(text, style=style, markup=False)
        else:
            print(text, file=sys.stderr, flush=True)

    def info(self, text: str) -> None:
        if self.verbosity >= 0:
            self._emit(text)

    def success(self, text: str) -> None:
        if self.verbosity >= 0:
            self._emit(text, "green")

    def debug(self, text: str) -> None:
        if self.verbosity >= 1:
            self._emit(text, "dim")

    def warn(self, text: str) -> None:
        self._emit(f"fxe: warning: {text}", "yellow")

    def error(self, text: str) -> None:
        self._emit(text, "bold red")

    def progress(self, label: str, total: int | None) -> "Progress":
        return Progress(self, label, total)


class Progress:
    """Progress of long work: a rich bar on a terminal, a plain line every ~10 % (or 10 s) otherwise.

    Use as a context manager; call it with the number of units done so far (an int).
    """

    def __init__(self, console: Console, label: str, total: int | None) -> None:
        self.console, self.label, self.total = console, label, total
        self._bar = self._task = None
        self._last_pct, self._last_time = 0, 0.0

    def __enter__(self) -> Callable[..., None]:
        self._last_time = time.monotonic()
        if self.console.verbosity >= 0 and self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                     console=self.console._rich_console(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total)
        return self.update

    def update(self, done: int, total: int | None = None) -> None:
        """`done` units so far; `total` names the whole when it was not known at the start."""
        if total is not None and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.update(self._task, total=total)
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
            return
        if self.console.verbosity < 0:
            return
        now = time.monotonic()
        pct = int(100 * done / self.total) if self.total else 0
        if pct >= self._last_pct + 10 or now - self._last_time >= 10 or (self.total and done == self.total):
            self._last_pct, self._last_time = pct, now
            of = f"/{self.total} ({pct}%)" if self.total else ""
            self.console.info(f"{self.label}: {done}{of}")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


console = Console()
