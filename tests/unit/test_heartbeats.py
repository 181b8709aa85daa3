"""A flow run's end does not wait for its heartbeat thread (flows/heartbeats.py)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from prefect import flow_engine

import flows.common  # noqa: F401  (installs the change, as every flow does)
from flows.heartbeats import end_runs_without_waiting


class SpiedThread(threading.Thread):
    started: list[SpiedThread] = []
    joins = 0

    def start(self) -> None:
        SpiedThread.started.append(self)
        super().start()

    def join(self, timeout: float | None = None) -> None:
        SpiedThread.joins += 1
        super().join(timeout)


class Engine:
    """What _send_heartbeats asks of a flow run engine; its heartbeat waits until released."""

    heartbeat_seconds = 30
    flow_run = None
    logger = SimpleNamespace(debug=lambda *args, **kwargs: None)

    def __init__(self) -> None:
        self.sent = 0
        self.sending = threading.Event()
        self.release = threading.Event()

    def _build_heartbeat_event_template(self) -> tuple[None, None]:
        return None, None

    def _emit_flow_run_heartbeat(self, resource: object, related: object) -> None:
        self.sent += 1
        self.sending.set()
        self.release.wait(10)


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> type[SpiedThread]:
    SpiedThread.started, SpiedThread.joins = [], 0
    monkeypatch.setattr(flow_engine, "threading",
                        SimpleNamespace(Event=threading.Event, Thread=SpiedThread))
    return SpiedThread


def test_the_sync_engines_heartbeats_end_with_the_run_without_a_join(spied):
    assert end_runs_without_waiting()
    engine = Engine()
    with flow_engine._send_heartbeats(engine):
        assert engine.sending.wait(10)  # the run's first heartbeat is being sent
    # the run has ended while its heartbeat thread was still busy: nothing waited for it
    assert spied.joins == 0
    (thread,) = spied.started
    assert thread.is_alive()
    engine.release.set()
    thread.join(10)  # told to stop, it returns at its next wake-up (a second at most)
    assert not thread.is_alive()
    assert engine.sent == 1


def test_installing_twice_wraps_prefects_function_once():
    installed = flow_engine._send_heartbeats
    assert end_runs_without_waiting()
    assert flow_engine._send_heartbeats is installed
    assert installed.keywords == {"join_on_exit": False}
