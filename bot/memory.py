"""Shared utility (any stage): hand freed heap memory back to the system after a burst of work."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

_LIBC = ctypes.util.find_library("c")


def trim_heap() -> None:
    """Ask glibc to return free heap pages to the system (nothing elsewhere). The foreign call releases the GIL, so
    run from a worker thread it does not stall the event loop."""
    if _LIBC:
        trim = getattr(ctypes.CDLL(_LIBC), "malloc_trim", None)
        if trim is not None:
            trim(0)


def release_memory() -> None:
    """Collect garbage, then trim the heap (a full collection holds the GIL: for after big jobs, not between answers)."""
    gc.collect()
    trim_heap()
