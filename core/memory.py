"""Memory a process freed, given back to the system.

Python returns the memory of freed objects to the C allocator, and glibc's allocator keeps
most of it: the pages of a heap stay the process's once touched, however little of them is
in use. A worker that checked a batch of 500 files (pandas frames, GX's results) or built
a month's answers keeps that peak as its resident size for the rest of the run, and the
run's processes side by side add their peaks up (docs/benchmarks.md, "memory"). Asking
glibc to trim (``malloc_trim``) after each such step hands the free pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def give_back() -> bool:
    """The free memory of this process's heaps returned to the system; False where the C
    library cannot (nothing done)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
