"""The `cellreports` command's own temporary Prefect server (flows.quiet.TemporaryServer):
one that never answers is a named error, not an endless wait."""

from __future__ import annotations

import sys
import time

import pytest

from flows import quiet


def _never_answers(port: int | None) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-c", "import sys; sys.exit(1)"], {}


def _stays_silent(port: int | None) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-c", "import time; time.sleep(30)"], {}


def test_a_server_that_keeps_stopping_is_started_three_times_then_named(monkeypatch):
    monkeypatch.setattr(quiet, "guarded_server_command", _never_answers)
    server = quiet.TemporaryServer()
    started = time.monotonic()
    with pytest.raises(quiet.TemporaryServerFailed,
                       match=r"stopped 3 times before answering \(exit code 1\)"):
        server.wait_until_up(timeout=60)
    assert time.monotonic() - started < 30 and server.starts == quiet.STARTS + 1


def test_a_server_that_never_answers_is_named_at_its_timeout_and_stopped(monkeypatch):
    monkeypatch.setattr(quiet, "guarded_server_command", _stays_silent)
    server = quiet.TemporaryServer()
    with pytest.raises(quiet.TemporaryServerFailed, match="within 1 s"):
        server.wait_until_up(timeout=1)
    server.stop()
    assert server.process.poll() is not None
