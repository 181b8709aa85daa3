"""The monthly flow with its read chunks on a real Dask cluster (issue 7, "Beyond one
machine"): a scheduler and two worker processes over TCP on this machine, the warehouse on
the real PostgreSQL. The same month run by the default task runner (threads of the flow's
process) into another fresh warehouse must give the same results, value for value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pg_databases import postgres_databases
from warehouse_snapshot import snapshot

from cellreports.demo import demo_course_register, generate_month
from cellreports.demo_run import drop_in_inbox
from core.registry import Registry
from core.settings import Settings

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.postgres]

PERIOD = "2024-03"  # the four demo cells and the Political Center's course register
CHUNK = 2  # files per read chunk: several chunks for the two workers


@pytest.fixture(scope="module")
def dask_cluster(prefect_server: None) -> Iterator[tuple[Any, Any]]:
    """A scheduler and two single-threaded worker processes, over TCP on 127.0.0.1, and a
    client of the test's own (not the default client: the flow must find the cluster by
    its address, as on a real cluster)."""
    from distributed import Client, LocalCluster
    from prefect.settings import PREFECT_API_URL

    quiet = logging.getLogger("distributed")  # the scheduler and nannies run in-process
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with pytest.MonkeyPatch.context() as env:
            # the worker processes inherit the test's Prefect API (each task also carries
            # the flow run's Prefect settings)
            env.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
            env.setenv("DASK_LOGGING__DISTRIBUTED", "error")
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              protocol="tcp://", host="127.0.0.1", dashboard_address=None,
                              silence_logs=logging.ERROR) as cluster, \
                    Client(cluster.scheduler_address, set_as_default=False) as client:
                client.wait_for_workers(2)
                client.get_task_stream()  # the scheduler records every task from now on
                # each worker imports the flow's modules (seconds) while the test goes on
                warming = [client.submit(exec, "import flows.monthly", workers=[worker],
                                         pure=False)
                           for worker in client.scheduler_info()["workers"]]
                yield cluster, client
                del warming
    finally:
        quiet.setLevel(level)


@pytest.fixture
def fresh_postgres(postgres_server: str) -> Iterator[Callable[[str], str]]:
    """Empty databases on the real PostgreSQL server, dropped afterwards."""
    with postgres_databases(postgres_server, "dask") as fresh:
        yield fresh


def _month_in_inbox(settings: Settings, registry: Registry) -> int:
    """The demo month as its senders drop it, plus a file no reader can open."""
    files = [*generate_month(registry, PERIOD), demo_course_register(registry)]
    for f in files:
        drop_in_inbox(settings.inbox, f.unit_code, f.filename, f.content,
                      f.received_at.timestamp())
    drop_in_inbox(settings.inbox, "BL03", "anh_chup.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                  files[-1].received_at.timestamp())
    return len(files) + 1


def _tasks(client: Any, name: str) -> list[dict[str, Any]]:
    """The chunks of task ``name`` the cluster's scheduler saw finish, in order."""
    return [t for t in client.get_task_stream() if name in str(t["key"])]


def _reads(client: Any) -> list[dict[str, Any]]:
    return _tasks(client, "read_files")


def _rows(summary: Any) -> list[tuple[Any, ...]]:
    return sorted((r.unit, r.filename, r.period, r.status, r.errors, r.warnings, r.version)
                  for r in summary.rows)


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def test_read_and_validate_chunks_on_a_dask_cluster_give_the_single_machine_results(
        dask_cluster: tuple[Any, Any], fresh_postgres: Callable[[str], str],
        registry: Registry, tmp_path: Path) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.runners import monthly_flow_for

    cluster, client = dask_cluster
    alone = Settings(data_dir=tmp_path / "alone", pid_hash_key="test-key",
                     warehouse_url=fresh_postgres("alone"), read_chunk_size=CHUNK,
                     validate_chunk_size=CHUNK)
    on_dask = Settings(data_dir=tmp_path / "dask", pid_hash_key="test-key",
                       warehouse_url=fresh_postgres("dask"), read_chunk_size=CHUNK,
                       validate_chunk_size=CHUNK, dask_address=cluster.scheduler_address)
    count = _month_in_inbox(alone, registry)
    assert _month_in_inbox(on_dask, registry) == count
    chunks = -(-count // CHUNK)
    before = len(_reads(client))
    checked_before = len(_tasks(client, "validate_files"))

    single = monthly_flow_for(alone)(PERIOD, alone)
    assert len(_reads(client)) == before, "the default runner sent work to the cluster"

    flow = monthly_flow_for(on_dask)
    assert isinstance(flow.task_runner, DaskTaskRunner)
    assert flow.task_runner.address == cluster.scheduler_address
    spread = flow(PERIOD, on_dask)

    # every read chunk ran, once, on a worker of the cluster
    reads = _reads(client)[before:]
    workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    assert len(reads) == chunks, reads
    assert all(t["status"] == "OK" for t in reads), reads
    assert {t["worker"] for t in reads} <= workers
    # and every validation chunk too; H07 is checked once over all of them, in the flow's
    # own process (check_same_people, called directly), when every chunk is back
    checks = _tasks(client, "validate_files")[checked_before:]
    assert len(checks) == chunks, checks
    assert all(t["status"] == "OK" for t in checks), checks
    assert {t["worker"] for t in checks} <= workers
    assert _tasks(client, "check_same_people") == []

    # the same month, value for value
    assert _rows(spread) == _rows(single)
    assert len(single.rows) == count
    assert {r.status for r in single.rows} == {"accepted", "rejected"}
    assert spread.findings == single.findings and single.findings
    assert spread.missing == single.missing
    warehouse = snapshot(on_dask.database_url)
    assert warehouse == snapshot(alone.database_url)
    assert len(warehouse["submissions"]) == count
    assert warehouse["indicator_values"] and warehouse["roster_facts"]
    assert spread.export_csv.read_bytes() == single.export_csv.read_bytes()
    assert _cells(spread.report) == _cells(single.report)

