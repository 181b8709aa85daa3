"""A fork server for the tests' driver processes: a driver's modules are imported once, and
each run is a child forked from the server, a process of its own that exits or is killed
exactly as a freshly started driver would, without paying Python's start and the imports
(seconds) again. tests/flow_driver.py and tests/crash_driver.py serve with it (``--serve``).

The protocol: the server writes ``ready`` once its modules are loaded, then reads one run
per line on stdin (JSON: ``argv``, the driver's arguments, and the paths of the run's
``stdout`` and ``stderr`` files) and forks a child for each (its output in those files, its
stdin /dev/null). For each it writes ``started <pid>``, then ``ended <pid> <returncode>``
(negative: killed by that signal) once the child is gone. It exits at the end of stdin, once
its children have ended. Before a fork the server must hold no thread and no connection.

The test's side is :func:`fork_server`, whose ``start`` forks a run (:class:`Run`).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- in the driver (the server)


def serve() -> list[str] | None:
    """The fork server's loop. Returns in a forked child only (with the run's arguments,
    its output already in its files); in the server, None once stdin ends and every child
    has ended."""
    print("ready", flush=True)
    children: set[int] = set()
    pending = b""
    reading = True
    while reading or children:
        ready = select.select([0], [], [], 0.05)[0] if reading else []
        if ready:
            chunk = os.read(0, 65536)
            reading = bool(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in filter(None, lines):
                run = json.loads(line)
                output = _open_output(run["stdout"], run["stderr"])  # there once it started
                pid = os.fork()
                if pid == 0:
                    _take_output(output)
                    return [str(a) for a in run["argv"]]
                for fd in output:
                    os.close(fd)
                children.add(pid)
                print(f"started {pid}", flush=True)
        elif not reading:
            select.select([], [], [], 0.05)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                print(f"ended {pid} {os.waitstatus_to_exitcode(status)}", flush=True)
    return None


def _open_output(stdout: str, stderr: str) -> tuple[int, int, int]:
    """A run's stdin (/dev/null), stdout and stderr (its files, created empty)."""
    created = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    return (os.open(os.devnull, os.O_RDONLY), os.open(stdout, created, 0o644),
            os.open(stderr, created, 0o644))


def _take_output(output: tuple[int, int, int]) -> None:
    """In a forked child: its own stdin, stdout and stderr in place of the server's pipes
    (the server's alone)."""
    for fd, opened in enumerate(output):
        os.dup2(opened, fd)
        os.close(opened)


# ---------------------------------------------------------------- in the test


@dataclass
class Run:
    """One driver run, a child of the fork server: Popen's poll/wait and its output."""

    forks: Forks
    pid: int
    out: Path
    err: Path

    def poll(self) -> int | None:
        return self.forks.ended.get(self.pid)

    def wait(self, timeout: float = 300) -> int:
        with self.forks.changed:
            if not self.forks.changed.wait_for(lambda: self.pid in self.forks.ended, timeout):
                raise TimeoutError(f"driver run {self.pid} still running after {timeout} s")
            return self.forks.ended[self.pid]

    @property
    def returncode(self) -> int | None:
        return self.poll()

    @property
    def stdout(self) -> str:
        return self.out.read_text()

    @property
    def stderr(self) -> str:
        return self.err.read_text()


@dataclass
class Forks:
    """A driver's fork server: ``start`` forks a run."""

    server: subprocess.Popen[str]
    folder: Path
    ended: dict[int, int] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)
    started: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self) -> None:
        """The server's lines, in a thread: which run started, which ended and how."""
        assert self.server.stdout is not None
        for line in self.server.stdout:
            kind, pid, *code = line.split()
            with self.changed:
                if kind == "started":
                    self.started.append(int(pid))
                elif kind == "ended":
                    self.ended[int(pid)] = int(code[0])
                self.changed.notify_all()

    def start(self, *argv: str) -> Run:
        assert self.server.stdin is not None
        with self.lock, self.changed:
            n = len(self.started)
            out, err = self.folder / f"run{n}.out", self.folder / f"run{n}.err"
            self.server.stdin.write(json.dumps(
                {"argv": argv, "stdout": str(out), "stderr": str(err)}) + "\n")
            self.server.stdin.flush()
            if not self.changed.wait_for(lambda: len(self.started) > n, 60):
                raise TimeoutError("the fork server started no run")
            return Run(self, self.started[n], out, err)

    def run(self, *argv: str, timeout: float = 300) -> Run:
        """A run to its end (or its death)."""
        run = self.start(*argv)
        run.wait(timeout)
        return run


@contextmanager
def fork_server(command: Sequence[str], folder: Path, *, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> Iterator[Forks]:
    """``command`` (a driver with ``--serve``) started and ready; closed and waited for at
    the end. The runs' output files go in ``folder``."""
    server = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=env, cwd=cwd)
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        server.kill()
        raise RuntimeError(f"the fork server {command} did not start")
    running = Forks(server, folder)
    reader = threading.Thread(target=running.read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
        reader.join(timeout=10)
