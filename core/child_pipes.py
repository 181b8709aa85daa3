"""A parent and its ``python -m <module>`` child talking over the child's stdin and stdout in
length-prefixed frames: the read sandbox's readers (forms.sandbox) and the run's worker
processes (services.workers).

Plain child processes, not multiprocessing: they also work inside a Dask worker, whose
daemonic process may not fork multiprocessing children, and they never run the parent's
main script again (``spawn`` does). A child ends with its parent: its stdin closes.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

HEADER = struct.Struct("<Q")  # a frame's length, then the frame
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
CLOSE_SECONDS = 5.0  # a child whose stdin is closed ends within this, or is killed


def start_child(module: str, *args: str, path: Sequence[str] = (),
                cwd: str | None = None) -> subprocess.Popen[bytes]:
    """``python -m module args…`` with its stdin and stdout as pipes and its stderr
    discarded; the project, then ``path``, then the inherited PYTHONPATH on its import
    path."""
    inherited = filter(None, [os.environ.get("PYTHONPATH")])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([PROJECT_ROOT, *path, *inherited])}
    return subprocess.Popen([sys.executable, "-m", module, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            cwd=cwd)


def ask_to_end(process: subprocess.Popen[bytes]) -> None:
    """Close the child's stdin: its signal to end (it may be gone already)."""
    if process.stdin:
        with contextlib.suppress(OSError):  # the child is gone already
            process.stdin.close()


def close_child(process: subprocess.Popen[bytes]) -> None:
    """Ask the child to end and wait for it; kill it if it lingers."""
    ask_to_end(process)
    try:
        process.wait(timeout=CLOSE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def send_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame; None where the stream ends between frames. A stream that ends inside
    a frame raises EOFError."""
    header = stream.read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise EOFError
    size = HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def frames_out() -> BinaryIO:
    """In the child: its stdout's pipe, kept for the frames alone. Anything else written to
    stdout from then on, by Python or a library below it, goes to stderr."""
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return sink
