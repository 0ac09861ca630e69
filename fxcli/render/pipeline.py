"""Overlapping the stages of a render: mesh posing, rasterising and encoding run at the same time.

numpy, the OpenGL driver and pipe writes release the GIL, so a thread per stage keeps both cores busy
(on llvmpipe the draw call itself runs on the calling thread, and ffmpeg encodes in its own process).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_S = 0.1  # how often a blocked producer checks whether the consumer went away


def run_ahead(items: Iterable[T], depth: int = 2, name: str = "fxe-ahead") -> Iterator[T]:
    """Iterate `items` in a background thread, at most `depth` items ahead of the consumer.

    Exceptions raised while producing are re-raised in the consumer, at the item where they happened.
    Closing the returned generator early (or dropping it) stops the producer.
    """
    box: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(entry) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            offer((False, exc))
            return
        offer((True, _DONE))

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            ok, item = box.get()
            if not ok:
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class BackgroundWriter:
    """Calls `write(item)` for each `put(item)` on a worker thread, at most `depth` items behind.

    The first exception `write` raises is kept; later items are dropped and `error` tells what happened,
    so a producer can stop early. `close()` waits until everything queued was handled.
    """

    def __init__(self, write: Callable[[object], None], depth: int = 3, name: str = "fxe-writer"):
        self._write = write
        self._box: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._box.get()
            if item is _DONE:
                return
            if self.error is None:
                try:
                    self._write(item)
                except BaseException as exc:  # noqa: BLE001 - reported through `error`
                    self.error = exc

    def put(self, item: object) -> None:
        self._box.put(item)

    def close(self) -> None:
        self._box.put(_DONE)
        self._thread.join()
