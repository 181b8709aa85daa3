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
