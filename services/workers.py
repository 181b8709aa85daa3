"""Pure, CPU-bound steps of a run spread over the machine's cores.

A run's Python work is held to one core by the interpreter's lock, whatever the threads.
A step that is a pure function of picklable data (building a feedback workbook from the
cell's file and its findings) can run in worker processes instead: each item's result
comes back in the order given, computed exactly as it would be here.

The workers are spawned, not forked: a fork would copy the run's threads' locks and, in
the process tree's resident memory, the whole flow process once per worker. A spawned
worker imports only what the function needs (about 0.3 s, once per run). Below
``min_items`` the items are computed here: the start-up would cost more than it saves.

Nothing is lost to a worker that dies (killed, out of memory): what it had not returned is
computed in this process, as it was before workers existed. An exception raised by the
function for one item is that item's result, and the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

R = TypeVar("R")
Args = tuple[Any, ...]

# fewer items than this are computed in the run's own process (measured: spawning two
# workers that import openpyxl costs ~0.3 s; one feedback workbook ~5 ms)
MIN_ITEMS = 100


def worker_count(configured: int | None) -> int:
    """How many worker processes: the setting, or one per core when it is unset."""
    if configured is not None:
        return max(configured, 1)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def map_on_cores(function: Callable[..., R], items: Sequence[Args], *, workers: int,
                 min_items: int | None = None) -> Iterator[R | Exception]:
    """``function(*item)`` for each item, in order, on ``workers`` processes (here when
    ``workers`` is 1 or the items are fewer than ``min_items``, by default MIN_ITEMS).
    ``function`` must be a module-level function; an exception it raises is yielded as
    that item's result."""
    if workers <= 1 or len(items) < (MIN_ITEMS if min_items is None else min_items):
        yield from (_here(function, item) for item in items)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(function, *item) for item in items]
        for item, future in zip(items, futures, strict=True):
            yield _result(future, function, item)


def _result(future: Future[R], function: Callable[..., R], item: Args) -> R | Exception:
    try:
        return future.result()
    except BrokenProcessPool:  # a worker died: this item is computed here instead
        return _here(function, item)
    except Exception as exc:
        return exc


def _here(function: Callable[..., R], item: Args) -> R | Exception:
    try:
        return function(*item)
    except Exception as exc:
        return exc
