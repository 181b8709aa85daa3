"""Reading received files in a child process bounded in memory and time.

The container check (forms.container) refuses what the zip's own tables give away. What they
hide — a part that unpacks to far more than it declares, a sheet of legal size that parses
into gigabytes of Python objects, a file that keeps a reader busy for minutes — is stopped
here: files are read by a child process whose address space is capped (RLIMIT_AS) and which
is killed when one file takes too long. The file that stopped its reader gets a named error;
the rest of the chunk goes on in a fresh child.

A child is a plain ``python -m forms.sandbox`` talking over its pipes (length-prefixed
pickles, core.child_pipes), not multiprocessing: it also works inside a Dask worker, whose
daemonic process may not fork multiprocessing children. Children are kept between chunks
(starting one costs the imports of the reader) and end with the parent (their stdin closes).
"""

from __future__ import annotations

import atexit
import os
import pickle
import resource
import select
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from core.child_pipes import (
    HEADER,
    PROJECT_ROOT,
    close_child,
    frames_out,
    read_frame,
    send_frame,
    start_child,
)
from core.errors import CellreportsError
from core.kinds import UNKNOWN
from core.limits import DEFAULT_LIMITS
from forms.dispatch import ReadOutcome, read_any
from forms.errors import CorruptWorkbook, ReadLimitExceeded
from forms.reader import UNREADABLE

MIB = 1024 * 1024
# what a child says once its imports are done, before any answer (an answer is never empty)
_READY = HEADER.pack(0)
# how long a child may take to start: its imports, on a machine busy with other runs. A
# file's own time limit starts once its reader is ready, so that a fresh child's start-up
# is never charged to the file it reads first.
START_SECONDS = 120.0


@dataclass(frozen=True)
class SandboxLimits:
    """What one child may use: address space (MiB) and wall time per file (seconds); and
    the most people one roster may list (rule F11), refused while it is read."""

    memory_mib: int = 1024
    seconds: float = 60.0
    max_roster_rows: int = DEFAULT_LIMITS.max_roster_rows


def too_long(seconds: float) -> ReadLimitExceeded:
    return ReadLimitExceeded(
        f"Đọc tệp mất quá {seconds:g} giây nên đã bị dừng (tệp quá lớn hoặc có cấu trúc bất "
        "thường). Đề nghị chép dữ liệu sang biểu mẫu mới, xóa các dòng, cột thừa rồi gửi lại.")


def too_big() -> ReadLimitExceeded:
    return ReadLimitExceeded(
        "Đọc tệp cần quá nhiều bộ nhớ nên đã bị dừng (tệp quá lớn khi giải nén hoặc có cấu "
        "trúc bất thường). Đề nghị chép dữ liệu sang biểu mẫu mới rồi gửi lại.")


class ChildDied(CellreportsError):
    """The reading child ended (killed by its memory limit, or crashed) before answering."""


class ChildTimedOut(CellreportsError):
    """The reading child did not answer within the time allowed for one file."""


class _Child:
    """One reading process and its pipes."""

    def __init__(self, limits: SandboxLimits):
        self.process = start_child("forms.sandbox", str(limits.memory_mib * MIB),
                                   str(limits.max_roster_rows), cwd=PROJECT_ROOT)
        self.ready = False

    def read(self, content: bytes, seconds: float) -> ReadOutcome:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            send_frame(self.process.stdin, content)  # type: ignore[arg-type]
        except OSError as exc:  # a broken pipe: the child is gone
            raise ChildDied from exc
        fd = self.process.stdout.fileno()
        if not self.ready:
            if _read_exactly(fd, len(_READY), time.monotonic() + START_SECONDS) != _READY:
                raise ChildDied
            self.ready = True
        deadline = time.monotonic() + seconds
        size = HEADER.unpack(_read_exactly(fd, HEADER.size, deadline))[0]
        try:
            outcome: ReadOutcome = pickle.loads(_read_exactly(fd, size, deadline))
        except (pickle.UnpicklingError, EOFError) as exc:
            raise ChildDied from exc
        return outcome

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def close(self) -> None:
        close_child(self.process)


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    left = size
    while left:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise ChildTimedOut
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            raise ChildDied
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


_idle: dict[SandboxLimits, list[_Child]] = {}
_lock = threading.Lock()


def _take(limits: SandboxLimits) -> _Child:
    with _lock:
        waiting = _idle.get(limits, [])
        while waiting:
            child = waiting.pop()
            if child.process.poll() is None:
                return child
    return _Child(limits)


def _give_back(limits: SandboxLimits, child: _Child) -> None:
    with _lock:
        _idle.setdefault(limits, []).append(child)


@atexit.register
def _close_all() -> None:
    with _lock:
        children = [c for waiting in _idle.values() for c in waiting]
        _idle.clear()
    for child in children:
        child.close()


def read_contained(contents: list[bytes], limits: SandboxLimits = SandboxLimits()
                   ) -> list[ReadOutcome]:
    """Each file read in a bounded child; a file that exhausts it gets a named error."""
    outcomes = []
    child = _take(limits)
    for content in contents:
        try:
            outcomes.append(child.read(content, limits.seconds))
            continue
        except ChildTimedOut:
            error = too_long(limits.seconds)
        except ChildDied:
            error = too_big()
        child.kill()
        outcomes.append(ReadOutcome(UNKNOWN, error=error))
        child = _Child(limits)
    _give_back(limits, child)
    return outcomes


def read_spread(contents: list[bytes], limits: SandboxLimits, children: int,
                chunk_size: int) -> list[ReadOutcome]:
    """``read_contained`` over chunks of ``chunk_size`` files, ``children`` chunks at a time
    (a thread of this process drives each child), the outcomes in the files' order."""
    chunks = [contents[i:i + chunk_size] for i in range(0, len(contents), chunk_size)]
    if children <= 1 or len(chunks) <= 1:
        outcomes = [o for chunk in chunks for o in read_contained(chunk, limits)]
    else:
        with ThreadPoolExecutor(min(children, len(chunks)), thread_name_prefix="read") as pool:
            outcomes = [o for read in pool.map(read_contained, chunks, [limits] * len(chunks))
                        for o in read]
    _keep_idle(limits, max(children, 1))
    return outcomes


def _keep_idle(limits: SandboxLimits, most: int) -> None:
    """No more than ``most`` idle children kept: those a read by more children started go
    once a read needs fewer (a streamed month reads its first batch on every core, the
    next ones on one; each idle child is ~60–90 MiB, measured: docs/benchmarks.md)."""
    with _lock:
        waiting = _idle.get(limits, [])
        surplus, waiting[most:] = waiting[most:], []
    for child in surplus:
        child.close()


# ---- the child --------------------------------------------------------------------------

def serve(memory_bytes: int, max_roster_rows: int = DEFAULT_LIMITS.max_roster_rows) -> None:
    """Read files from stdin and answer each with its pickled outcome, until stdin closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    limits = replace(DEFAULT_LIMITS, max_roster_rows=max_roster_rows)
    # the answers get stdout's pipe to themselves: anything a library prints goes to stderr
    sink = frames_out()
    sink.write(_READY)  # imported: the files' own time limits start now
    sink.flush()
    source = sys.stdin.buffer
    while (content := read_frame(source)) is not None:
        try:
            outcome = read_any(content, limits)
        except MemoryError:  # Python's own allocations hit the cap: the child lives on
            outcome = ReadOutcome(UNKNOWN, error=too_big())
        except Exception:  # read_any names every bad file; a bug must not read as "memory"
            outcome = ReadOutcome(UNKNOWN, error=CorruptWorkbook(UNREADABLE))
        send_frame(sink, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    serve(*map(int, sys.argv[1:3]))
