"""The walk's pieces that hold the warehouse: its preparation, the run lock, the loading of
a batch file by file, the acknowledgement of what was loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from connectors.base import Connector, IncomingFile
from core.registry import Registry
from core.settings import Settings
from flows.heartbeats import end_runs_without_waiting
from warehouse.archive import Archive
from warehouse.load import FAILED, LoadResult
from warehouse.runlock import run_lock
from warehouse.unit_of_work import Warehouse

Item = TypeVar("Item")
end_runs_without_waiting()  # every flow imports this module before it runs (flows/heartbeats.py)
# Files loaded in one transaction, a savepoint each: a commit per file wrote each one's
# pages to the WAL again (0.5 s of a 500-file batch's 4 s, measured: docs/benchmarks.md).
# Small enough that the write lock is held under a second, and a killed run loses no more
# than a group (its files are still in their inbox, and load on the next run).
LOAD_GROUP = 100


# An unreachable database is retried (a restart, a network blip); then the flow fails with
# the connection error, before anything was collected, loaded or moved out of the inbox.
@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def prepare_warehouse(settings: Settings, registry: Registry) -> None:
    """Bring the schema to the latest migration and mirror the registry into it."""
    Warehouse.of(settings).ready(registry)


@contextmanager
def exclusive_run(settings: Settings, name: str) -> Iterator[None]:
    """Serialise runs on one warehouse: a second run waits for the first to finish (the
    database holds the lock, so a killed run releases it)."""
    def waiting() -> None:
        get_run_logger().warning("another run (%s) is using the warehouse; waiting for it "
                                 "to finish", name)

    with run_lock(Warehouse.of(settings).engine, name, on_wait=waiting):
        yield


def load_each(records: list[Item], settings: Settings,
              load: Callable[[Session, Item], LoadResult]) -> list[LoadResult]:
    """Each file all or nothing, oldest first: a savepoint each, in one transaction per
    ``LOAD_GROUP`` files; a retry skips what was already loaded. The database being
    unreachable fails the task (Prefect retries it); a file the database refuses is rolled
    back alone, reported as failed, stays in the inbox, and the others load."""
    warehouse = Warehouse.of(settings)
    results = {}
    ordered = sorted(records, key=lambda r: r.received_at)  # type: ignore[attr-defined]
    with warehouse.deferred_sync():  # on disk before any file leaves its inbox
        for start in range(0, len(ordered), LOAD_GROUP):
            with warehouse.session() as session, session.begin():
                for record in ordered[start:start + LOAD_GROUP]:
                    try:
                        results[id(record)] = load(session, record)
                    except OperationalError:
                        raise
                    except SQLAlchemyError as exc:
                        get_run_logger().warning("could not load %s: %s",
                                                 record.filename, exc)  # type: ignore[attr-defined]
                        results[id(record)] = LoadResult(0, FAILED, None, new=False)
    return [results[id(r)] for r in records]


def acknowledge_loaded(connectors: Iterable[Connector], collected: list[Any],
                       failed: set[tuple[str, str, str]], archive: Archive) -> None:
    """Mark handled files in their channels — only once they are archived and loaded. A
    file whose bytes the run let go is handed over with them read back from ``archive``,
    one at a time (a channel may compare them with what it holds before it lets go too)."""
    by_channel = {c.channel: c for c in connectors}
    done: dict[str, list[Any]] = {}
    for c in collected:
        if (c.stored.sha256, c.incoming.channel, c.incoming.sender) not in failed:
            done.setdefault(c.incoming.channel, []).append(c)
    for channel, items in done.items():
        by_channel[channel].acknowledge_many(_held(c, archive) for c in items)


def _held(collected: Any, archive: Archive) -> IncomingFile:
    incoming: IncomingFile = collected.incoming
    return replace(incoming, content=archive.held_or_read(incoming.content,
                                                          collected.stored.sha256))
