"""Fits shared between views: heatmaps and radio models by the digest of their inputs.

Light to import (no scipy), so the GUI can own one from its start; the fits themselves are
made by :mod:`survey.analysis.survey_analysis` in worker threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np


class FitCache:
    """Fitted heatmaps and radio models by the digest of what they were fitted to.

    Thread-safe, and one computation per key even when two threads ask at once (the GUI's
    map worker and its analysis worker): the second waits for the first. Bounded: the
    least recently used entries go first.
    """

    def __init__(self, max_entries: int = 64) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[bytes, object] = OrderedDict()
        self._pending: dict[bytes, threading.Event] = {}
        self._max = max_entries

    def get(self, key: bytes, compute: Callable[[], object]):
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    owner = True
                else:
                    owner = False
            if not owner:
                event.wait()
                continue  # the owner stored it (or failed: then compute it here)
            try:
                value = compute()
                with self._lock:
                    self._entries[key] = value
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
                return value
            finally:
                with self._lock:
                    self._pending.pop(key, None)
                event.set()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def digest(*parts) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(np.ascontiguousarray(part, dtype=np.float64).tobytes())
        else:
            h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"|")
    return h.digest()
