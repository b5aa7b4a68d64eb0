"""Imports and BLAS threads of the fits: the two things a fit waits for besides arithmetic."""

from __future__ import annotations

import contextlib
import threading

_blas_controller = None
_imports_lock = threading.Lock()
_imports_done = False


def warm_imports() -> None:
    """Import the scipy modules the fits and the analysis around them use (about 1 s on a
    2-core laptop).

    Called by every fit, and by the GUI from a background thread after its window is up so
    the first fit does not wait for them. One lock: two threads never import them at once
    (the GUI's warm-up and a worker's first fit), which keeps Python's per-module import
    locks out of each other's way.
    """
    global _imports_done
    if _imports_done:
        return
    with _imports_lock:
        if _imports_done:
            return
        import scipy.interpolate  # noqa: F401
        import scipy.linalg  # noqa: F401

        # The wall model's calibration (scipy.optimize, which loads scipy.sparse) and the room
        # finder (scipy.ndimage) run beside every fit in the analysis. A C extension holds the
        # GIL while it initialises: imported by a fit's worker, they stopped the window's
        # event loop ~0.25 s while a 5,000-sample survey opened.
        import scipy.ndimage  # noqa: F401
        import scipy.optimize  # noqa: F401
        import scipy.spatial  # noqa: F401

        _imports_done = True


def one_blas_thread():
    """Context limiting BLAS to one thread.

    The matrices here are at most a few hundred wide: OpenBLAS threads only contend with
    each other (and with the UI thread), measured 5-10x slower on a busy 2-core machine.
    Without threadpoolctl, BLAS runs as configured.
    """
    global _blas_controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return contextlib.nullcontext()
    if _blas_controller is None:
        # The controller sees the BLAS libraries loaded when it is made: load scipy's first.
        warm_imports()
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")
