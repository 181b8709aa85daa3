"""Pure, CPU-bound steps of a run spread over the machine's cores.

A run's Python work is held to one core by the interpreter's lock, whatever the threads.
A step that is a pure function of picklable data (building a feedback workbook from the
cell's file and its findings, the district workbook from the month) can run in worker
processes instead: each result comes back computed exactly as it would be here.

A worker is ``python -m services.workers``: it reads ``(function, args, kwargs)`` pickled
from its stdin and writes back the result, or the exception raised, until its stdin
closes (the run ended, or died: a worker never outlives it). Not multiprocessing's
``spawn``: that runs the parent's main script again in every worker, and a script that
starts a month's run without an ``if __name__ == "__main__"`` guard would run it again.
Not ``fork``: a worker forked from the flow process would inherit the locks its other
threads (Prefect's) hold at that moment. A worker imports only what its function needs
(about 0.3 s, once per run).

Nothing is lost to a worker that dies (killed, out of memory): what it had not returned is
computed in this process, as it was before workers existed. An exception raised by the
function for one item is that item's result, and the others go on.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from core.errors import CellreportsError

R = TypeVar("R")
Args = tuple[Any, ...]

# fewer items than this are computed in the run's own process (measured: a worker that
# imports openpyxl costs ~0.3 s to start; one feedback workbook ~5 ms)
MIN_ITEMS = 100
_HEADER = struct.Struct("!Q")
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)


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
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [_PROJECT_ROOT, *filter(None, sys.path)])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.workers"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def call(self, function: Callable[..., R], args: Args, kwargs: dict[str, Any]) -> R:
        """``function(*args, **kwargs)`` in the worker; its exception raised here."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            _send(self.process.stdin, (function, args, kwargs))
            ok, value = _receive(self.process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error) as exc:
            raise WorkerDied from exc
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.process.stdin:
            with contextlib.suppress(OSError):  # the worker is gone already
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
        if self._threads is not None:
            self._threads.shutdown(cancel_futures=True)
        for worker in self._started:
            worker.close()

    def warm_up(self, module: str) -> None:
        """Each worker starts and imports ``module`` now, while this process goes on."""
        import importlib

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


def map_on_cores(function: Callable[..., R], items: Sequence[Args], *, workers: int,
                 min_items: int | None = None) -> Iterator[R | Exception]:
    """``function(*item)`` for each item, in order, on ``workers`` processes (here when
    ``workers`` is 1 or the items are fewer than ``min_items``, by default MIN_ITEMS).
    ``function`` must be a module-level function; an exception it raises is yielded as
    that item's result."""
    few = len(items) < (MIN_ITEMS if min_items is None else min_items)
    with Workers(0 if workers <= 1 or few else workers) as pool:
        futures = [pool.submit(function, *item) for item in items]
        for item, future in zip(items, futures, strict=True):
            try:
                yield result_or_here(future, function, *item)
            except Exception as exc:
                yield exc


def _send(stream: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    return pickle.loads(_receive_bytes(stream))


def _receive_bytes(stream: BinaryIO) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def serve() -> None:
    """The worker's loop (``python -m services.workers``): calls in, results out, until
    its stdin closes."""
    calls, results = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # what the function prints never mixes with the results
    while True:
        try:
            call = _receive_bytes(calls)
        except EOFError:
            return
        try:
            function, args, kwargs = pickle.loads(call)
            answer: tuple[bool, Any] = (True, function(*args, **kwargs))
        except Exception as exc:
            answer = (False, exc)
        try:
            _send(results, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            _send(results, (False, RuntimeError(f"unpicklable result: {exc!r}")))


if __name__ == "__main__":
    serve()
