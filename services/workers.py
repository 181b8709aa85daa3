"""Pure, CPU-bound steps of a run spread over the machine's cores.

A run's Python work is held to one core by the interpreter's lock, whatever the threads.
A step that is a pure function of picklable data (building a feedback workbook from the
cell's file and its findings, the district workbook from the month) can run in worker
processes instead: each result comes back computed exactly as it would be here.

A worker is ``python -m services.workers`` (core.child_pipes, as the read sandbox's
children): it reads ``(function, args, kwargs)`` pickled from its stdin and writes back the
result, or the exception raised, until its stdin closes (the run ended, or died: a worker
never outlives it). Not multiprocessing's ``spawn``: that runs the parent's main script
again in every worker, and a script that starts a month's run without an
``if __name__ == "__main__"`` guard would run it again.
Not ``fork``: a worker forked from the flow process would inherit the locks its other
threads (Prefect's) hold at that moment. A worker imports only what its function needs
(about 0.3 s, once per run).

Nothing is lost to a worker that dies (killed, out of memory): what it had not returned is
computed in this process, as it was before workers existed. An exception raised by the
function for one item is that item's result, and the others go on.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from core.child_pipes import (
    ask_to_end,
    close_child,
    frames_out,
    read_frame,
    send_frame,
    start_child,
)
from core.errors import CellreportsError
from core.memory import fewer_collections, let_go

R = TypeVar("R")
Args = tuple[Any, ...]

# fewer items than this are computed in the run's own process (measured: a worker that
# imports openpyxl costs ~0.3 s to start; one feedback workbook ~5 ms)
MIN_ITEMS = 100


class WorkerDied(CellreportsError):
    """A worker process ended before it answered (killed, out of memory)."""


def worker_count(configured: int | None) -> int:
    """How many worker processes: the setting, or one per core when it is unset."""
    if configured is not None:
        return max(configured, 1)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


class _Worker:
    """One worker process and its pipes."""

    def __init__(self) -> None:
        # the parent's import path: a function is found where the parent found it
        self.process = start_child("services.workers", path=list(filter(None, sys.path)))

    def call(self, function: Callable[..., R], args: Args, kwargs: dict[str, Any]) -> R:
        """``function(*args, **kwargs)`` in the worker; its exception raised here."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            send_frame(self.process.stdin, _pickled((function, args, kwargs)))
            answer = read_frame(self.process.stdout)
            if answer is None:
                raise EOFError
            ok, value = pickle.loads(answer)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise WorkerDied from exc
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        close_child(self.process)


class Workers:
    """``n`` worker processes, each driven by a thread of this process: ``submit`` returns
    a future of the call's result. ``with Workers(n) as workers: ...``; 0 workers compute
    every call here, when its result is asked for."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._local = threading.local()
        self._started: list[_Worker] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(n, thread_name_prefix="worker") if n else None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        _close_together([self])

    def _stop_calls(self) -> list[_Worker]:
        """No more calls (those waiting are cancelled); the workers it started."""
        if self._threads is not None:
            self._threads.shutdown(cancel_futures=True)
        return list(self._started)

    def warm_up(self, module: str) -> None:
        """Each worker starts and imports ``module`` now, while this process goes on."""
        for _ in range(self.n):
            self.submit(importlib.import_module, module)

    def submit(self, function: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        if self._threads is None:
            return _Here(function, args, kwargs)  # type: ignore[return-value]
        return self._threads.submit(self._call, function, args, kwargs)

    def _call(self, function: Callable[..., R], args: Args, kwargs: dict[str, Any]) -> R:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = _Worker()
            with self._lock:
                self._started.append(worker)
        try:
            return worker.call(function, args, kwargs)
        except WorkerDied:
            self._local.worker = None  # this thread's next call starts a new one
            raise


class _Here(Future[Any]):
    """A call computed in this process when its result is first asked for."""

    def __init__(self, function: Callable[..., Any], args: Args,
                 kwargs: dict[str, Any]) -> None:
        super().__init__()
        self._call = (function, args, kwargs)

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            function, args, kwargs = self._call
            try:
                self.set_result(function(*args, **kwargs))
            except Exception as exc:
                self.set_exception(exc)
        return super().result(timeout)


def result_or_here(future: Future[R], function: Callable[..., R], *args: Any,
                   **kwargs: Any) -> R:
    """The future's result, or the call computed here if its worker died: nothing is lost
    to a killed worker. An exception the call raised is raised."""
    try:
        return future.result()
    except WorkerDied:
        return function(*args, **kwargs)


_lasting: dict[str, Workers] = {}
_lasting_guard = threading.Lock()


def lasting_worker(name: str, n: int = 1) -> Workers:
    """``n`` worker processes (one unless told) kept for the life of this process under
    ``name`` (each started on first use, closed at exit), for a step called again and
    again whose workers keep what is costly to make between calls (the read sandbox's
    children, GX's context, openpyxl imported). The first call decides ``n``."""
    with _lasting_guard:
        found = _lasting.get(name)
        if found is None:
            found = _lasting[name] = Workers(n)
        return found


def lasting_started(name: str) -> bool:
    """Whether the lasting worker ``name`` has started here (and what it keeps is warm)."""
    with _lasting_guard:
        found = _lasting.get(name)
        return found is not None and bool(found._started)


def end_lasting(name: str) -> bool:
    """The lasting worker ``name`` ended now, with whatever it keeps (its memory back to
    the system), when this process will not call it again soon; the next call under the
    name starts a new one. Whether one was running."""
    with _lasting_guard:
        found = _lasting.pop(name, None)
    if found is None:
        return False
    started = bool(found._started)
    _close_together([found])
    return started


@atexit.register
def _close_lasting() -> None:
    with _lasting_guard:
        lasting = list(_lasting.values())
        _lasting.clear()
    _close_together(lasting)


def _close_together(pools: Sequence[Workers]) -> None:
    """Every worker of ``pools`` told to end at once (its stdin closed), then each waited
    for: they end side by side (five one after the other took a second at a run's exit)."""
    started = [worker for workers in pools for worker in workers._stop_calls()]
    for worker in started:
        ask_to_end(worker.process)
    for worker in started:
        worker.close()


def map_on_cores(function: Callable[..., R], items: Sequence[Args], *, workers: int,
                 min_items: int | None = None, lasting: str | None = None,
                 ) -> Iterator[R | Exception]:
    """``function(*item)`` for each item, in order, on ``workers`` processes (here when
    ``workers`` is 1 or the items are fewer than ``min_items``, by default MIN_ITEMS):
    started for the call, or those kept under the name ``lasting`` (``lasting_worker``:
    already started and warm when an earlier step used them). ``function`` must be a
    module-level function; an exception it raises is yielded as that item's result."""
    few = len(items) < (MIN_ITEMS if min_items is None else min_items)
    if workers <= 1 or few:
        pool = Workers(0)
    else:
        pool = lasting_worker(lasting, workers) if lasting else Workers(workers)
    try:
        futures = [pool.submit(function, *item) for item in items]
        for item, future in zip(items, futures, strict=True):
            try:
                yield result_or_here(future, function, *item)
            except Exception as exc:
                yield exc
    finally:
        if not lasting or pool.n == 0:
            pool.__exit__(None, None, None)


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def serve() -> None:
    """The worker's loop (``python -m services.workers``): calls in, results out, until
    its stdin closes."""
    results = frames_out()  # what the function prints never mixes with the results
    fewer_collections()  # a worker builds large structures: up to a fifth of its time collecting
    first = True
    while (call := read_frame(sys.stdin.buffer)) is not None:
        send_frame(results, _answer(call))
        # the call's arguments, its result and what it made on the way are garbage now:
        # freed, and their pages back to the system, or this worker would keep its largest
        # call's size for the rest of the run, beside every other process (core.memory).
        # What the first call leaves (its imports: a worker is warmed up with them) stays.
        del call
        let_go(keep_survivors=first)
        first = False


def _answer(call: bytes) -> bytes:
    """The pickled ``(True, result)`` of a pickled call, or ``(False, exception)``."""
    try:
        function, args, kwargs = pickle.loads(call)
        answer: tuple[bool, Any] = (True, function(*args, **kwargs))
    except Exception as exc:
        answer = (False, exc)
    try:
        return _pickled(answer)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        return _pickled((False, RuntimeError(f"unpicklable result: {exc!r}")))


if __name__ == "__main__":
    serve()
    # the parent closed our stdin: nothing is left to write or to keep (its sandbox
    # children end as their stdin closes with us). Ending without the interpreter's
    # teardown of GX, pandas and openpyxl saves the parent's exit ~0.2 s a worker.
    sys.stderr.flush()
    os._exit(0)
