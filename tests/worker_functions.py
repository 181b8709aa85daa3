"""Module-level functions for the worker-process tests (a spawned worker imports them by
name: a test module's own functions are not importable under pytest's importlib mode)."""

from __future__ import annotations

import os


def square(n: int) -> int:
    return n * n


def refuse_odd(n: int) -> int:
    if n % 2:
        raise ValueError(f"odd: {n}")
    return n


def where_computed(n: int, parent: int) -> tuple[int, bool]:
    """``n`` and whether it was computed in the process ``parent``."""
    return n, os.getpid() == parent


def die_in_a_worker(n: int, parent: int) -> tuple[int, bool]:
    """A worker that computes this dies at once (as one killed or out of memory would)."""
    if os.getpid() != parent:
        os._exit(1)
    return n, True


def noisy_square(n: int, parent: int) -> tuple[int, bool]:
    """Writes to stdout, through Python and below it, before it answers; and whether it
    was computed in the process ``parent``."""
    print("from print")
    os.write(1, b"from the file descriptor\n")
    return n * n, os.getpid() == parent


def process_id() -> int:
    return os.getpid()


def leave_holes(mib: int) -> int:
    """Fills ``mib`` MiB of the C heap with 64 KiB blocks, each beside a small one that stays
    alive, then frees the large blocks: holes the allocator keeps unless asked to trim. What
    stays (the small blocks) is returned, so that it outlives the call in the worker."""
    kept, large = [], []
    for _ in range(mib * 16):
        large.append(bytearray(64 * 1024))
        kept.append(bytearray(1024))
    del large
    return len(kept)


def resident_mib() -> float:
    """This process's resident size."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def collector_threshold() -> tuple[int, int, int]:
    """The cyclic collector's thresholds in the process that computes this."""
    import gc

    return gc.get_threshold()


def frozen_objects() -> int:
    """How many objects this process keeps out of the cyclic collector's walks."""
    import gc

    return gc.get_freeze_count()


class Cyclic:
    """An object that refers to itself: freed only by the cyclic collector."""

    def __init__(self) -> None:
        self.me = self
        self.payload = bytearray(1024)


_cycles: list[object] = []


def leave_a_cycle() -> None:
    """Leaves an object in a reference cycle as garbage (with the collector off, so that
    only an explicit collection frees it), watched by a weak reference kept here."""
    import gc
    import weakref

    gc.disable()
    _cycles.append(weakref.ref(Cyclic()))


def cycle_alive() -> bool:
    """Whether the object of the last ``leave_a_cycle`` is still alive."""
    return _cycles[-1]() is not None
