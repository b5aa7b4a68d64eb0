"""Daemon threads for the probes of a run, each handing its result to a Future."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future


def spawn(fn: Callable, *args, name: str = "netcheck") -> Future:
    """Run ``fn(*args)`` on a daemon thread and return its Future.

    Not a ThreadPoolExecutor: its workers are joined when the interpreter exits, so one
    resolver call stuck inside getaddrinfo (which cannot be cancelled) would keep
    ``evsurvey check`` alive long after its deadline. A daemon thread is simply abandoned.
    """
    future: Future = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting side, which reports it
            future.set_exception(exc)

    threading.Thread(target=target, name=name, daemon=True).start()
    return future
