"""Memory a process freed, given back to the system.

Python returns the memory of freed objects to the C allocator, and glibc's allocator keeps
most of it: the pages of a heap stay the process's once touched, however little of them is
in use. A worker that checked a batch of 500 files (pandas frames, GX's results) or built
a month's answers keeps that peak as its resident size for the rest of the run, and the
run's processes side by side add their peaks up (docs/benchmarks.md, "memory"). Asking
glibc to trim (``malloc_trim``) after each such step hands the free pages back.

And the time the cyclic garbage collector takes: Python collects the youngest objects
after every 700 new ones, and each object that lives on is walked again and again as it
ages (a district workbook's 150,000 cells, a batch's frames). Measured on a month of 1,000
files: the run's processes spent 7.6 s of 78 s of CPU collecting (10 %, one pause of 0.4 s
in the run's process); collecting after 10,000 new objects, 3.2 s (docs/benchmarks.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager

# New container objects between two collections of the youngest generation (Python's
# default: 700). Garbage in reference cycles waits that long to be freed: the run's peak
# memory rose with it and the session's other changes (1,000 files: +40–100 MiB; 10,000:
# +173 MiB, 9 %), against a fifth less time (docs/benchmarks.md, the eleventh session).
YOUNG_OBJECTS = 10_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while a large structure that lives until it is finished is
    built (a district workbook: each collection walks the cells made so far, 0.1–0.4 s of
    the 1,000-cell workbook's ~2 s); garbage made meanwhile goes at the next collection."""
    if not gc.isenabled():  # paused already (or off): left as it is
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def fewer_collections() -> None:
    """Collect the youngest generation after :data:`YOUNG_OBJECTS` new objects; a larger
    setting (or the collector turned off) is left as it is."""
    young, older, oldest = gc.get_threshold()
    if 0 < young < YOUNG_OBJECTS:
        gc.set_threshold(YOUNG_OBJECTS, older, oldest)


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


def let_go(*, keep_survivors: bool = False) -> None:
    """A finished step's garbage freed now and its pages given back (``give_back``).

    Garbage in reference cycles is collected first: GX and pydantic catch thousands of
    exceptions per validation, and each one's traceback holds the frames it went through,
    and through them the callers' locals: a batch's pandas frames. With fewer collections
    (``fewer_collections``) that garbage outlived the call, beside the next batch's
    (measured: a checking worker's peak 591 → 478 MiB over four 500-file batches,
    docs/benchmarks.md). ``keep_survivors``: what is alive after this collection (a
    worker's imports, GX's context) is set aside for good (``gc.freeze``), so that each
    later collection walks only what came after it (0.4 → 0.2 s a batch)."""
    gc.collect()
    if keep_survivors:
        gc.freeze()
    give_back()


def give_back() -> bool:
    """The free memory of this process's heaps returned to the system; False where the C
    library cannot (nothing done)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
