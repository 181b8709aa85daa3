"""A load killed abruptly (SIGKILL, a real process) on real SQLite and real PostgreSQL.

tests/crash_driver.py (each run a child of its fork server) loads a month of six cell
reports, one transaction per file. Killed after any SQL statement, the warehouse must hold
the files loaded before, each complete, and nothing of the file being loaded; the next run
must finish the month as if nothing happened.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
from fork_server import Forks, Run, fork_server
from pg_databases import postgres_databases
from warehouse_snapshot import TABLES, Row, Snapshot, snapshot

# crash safety is the database's: every test on SQLite and on PostgreSQL
pytestmark = pytest.mark.both_databases

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "crash_driver.py"
# the tables whose rows belong to one submission; all but the findings are its figures
CHILDREN = [t.name for t in TABLES if "submission_id" in t.c and t.name != "submissions"]
FIGURES = [name for name in CHILDREN if name != "findings"]
# where the load is killed, as fractions of the statements a clean load executes
KILL_FRACTIONS = (0.15, 0.35, 0.55, 0.75, 0.9)



@pytest.fixture
def fresh_warehouse(warehouse_url: str, tmp_path: Path,
                    request: pytest.FixtureRequest) -> Iterator[Callable[[str], str]]:
    """Another empty warehouse on the same kind of database as ``warehouse_url``."""
    if not warehouse_url.startswith("postgresql"):
        yield lambda name: f"sqlite:///{tmp_path / f'{name}.sqlite'}"
        return
    with postgres_databases(request.getfixturevalue("postgres_server"), "crash") as fresh:
        yield fresh


@pytest.fixture(scope="module")
def forks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forks]:
    """tests/crash_driver.py --serve, once for the module: each driver run is a child forked
    from it, killed as abruptly as a freshly started driver, without importing the project
    and building the workbooks again."""
    with fork_server([sys.executable, str(DRIVER), "--serve"],
                     tmp_path_factory.mktemp("crash-runs"), cwd=ROOT) as running:
        yield running


@pytest.fixture
def run_driver(forks: Forks) -> Callable[..., Run]:
    """``run_driver(url, work_dir, *options)``: one driver run to its end or its death."""
    def run(url: str, work_dir: Path, *options: str) -> Run:
        return forks.run(url, str(work_dir), *options)
    return run


def printed(run: Run, name: str) -> int:
    """A count the driver printed as ``name=<n>``."""
    for line in run.stdout.splitlines():
        if line.startswith(f"{name}="):
            return int(line.removeprefix(f"{name}="))
    raise AssertionError(f"the driver printed no {name}:\n{run.stdout}\n{run.stderr}")


def finished(run: Run) -> int:
    """The number of statements of a load that ran to its end."""
    assert run.returncode == 0, run.stderr
    return printed(run, "statements")


def killed(run: Run, where: str) -> None:
    assert run.returncode == -signal.SIGKILL, (
        f"{where}: not killed (rc {run.returncode})\n{run.stderr}")


def run_all(runs: dict[int, Callable[[], Run]]
            ) -> dict[int, Run]:
    """Independent driver runs (each on its own warehouse) side by side."""
    with ThreadPoolExecutor(max(2, os.cpu_count() or 1)) as pool:
        futures = {n: pool.submit(run) for n, run in runs.items()}
        return {n: future.result() for n, future in futures.items()}


def by_submission(state: Snapshot, table: str) -> dict[object, list[Row]]:
    grouped: dict[object, list[Row]] = defaultdict(list)
    for row in state[table]:
        grouped[dict(row)["submission_id"]].append(row)
    return grouped


def assert_consistent(state: Snapshot, clean: Snapshot, manifest: list[dict[str, object]],
                      where: str) -> None:
    """The warehouse holds the first files of the month, each exactly as a clean load leaves
    it, and nothing of the others: never a half-loaded file."""
    present = {dict(row)["sha256"]: dict(row) for row in state["submissions"]}
    order = [str(f["sha256"]) for f in manifest]
    loaded = order[:len(present)]
    assert set(present) == set(loaded), f"{where}: not the first files, oldest first"
    assert {dict(row)["sha256"] for row in state["raw_files"]} == set(loaded), (
        f"{where}: a raw file without its submission, or the reverse")

    known = set(present)
    for table in CHILDREN:
        orphans = [sha for sha in by_submission(state, table) if sha not in known]
        assert not orphans, f"{where}: {table} rows of no submission: {orphans}"

    clean_submissions = {dict(row)["sha256"]: dict(row) for row in clean["submissions"]}
    files = {f["sha256"]: f for f in manifest}
    for sha in loaded:
        file, submission = files[sha], present[sha]
        rows = {table: by_submission(state, table).get(sha, []) for table in CHILDREN}
        assert len(rows["findings"]) == file["findings"], f"{where}: {file['filename']}"
        if file["accepted"]:
            assert len(rows["roster_facts"]) == file["roster_rows"], f"{where}: {file}"
            assert len(rows["indicator_values"]) == file["figures"], f"{where}: {file}"
        else:
            assert not any(rows[t] for t in FIGURES), f"{where}: figures of a rejected file"
        for table in CHILDREN:  # each row as the clean load leaves it
            assert rows[table] == by_submission(clean, table).get(sha, []), (
                f"{where}: {table} of {file['filename']} differ from a clean load")
        expected = dict(clean_submissions[sha])
        later = [s for s in loaded[loaded.index(sha) + 1:]
                 if files[s]["unit_code"] == file["unit_code"]
                 and files[s]["period"] == file["period"] and files[s]["accepted"]]
        if expected["status"] == "superseded" and not later:  # its successor is not in yet
            expected["status"] = "accepted" if file["accepted"] else "rejected"
        assert submission == expected, f"{where}: submission {file['filename']}"

    accepted: dict[tuple[object, ...], int] = defaultdict(int)
    for submission in present.values():
        if submission["status"] == "accepted":
            accepted[submission["unit_code"], submission["period"], submission["kind"]] += 1
    assert max(accepted.values(), default=0) <= 1, f"{where}: two accepted versions {accepted}"


def kill_points(total: int) -> list[int]:
    """Early, spread over the whole load, and the very last statement of the last file."""
    return sorted({3, *(round(total * f) for f in KILL_FRACTIONS), total})


def test_a_clean_load_stores_every_file_complete_and_running_it_again_changes_nothing(
        warehouse_url: str, tmp_path: Path, run_driver: Callable[..., Run]) -> None:
    work = tmp_path / "clean"
    finished(run_driver(warehouse_url, work))
    manifest = json.loads((work / "manifest.json").read_text())
    first = snapshot(warehouse_url)

    statuses = sorted((s["unit_code"], s["version"], s["status"])
                      for s in map(dict, first["submissions"]))
    assert statuses == [("BL01", 1, "superseded"), ("BL01", 2, "accepted"),
                        ("BL02", 1, "accepted"), ("BL03", 1, "rejected"),
                        ("BL04", 1, "accepted"), ("BL05", 1, "accepted")]
    assert_consistent(first, first, manifest, "clean load")

    again = run_driver(warehouse_url, work)
    assert finished(again) > 0 and "new=True" not in again.stdout
    assert snapshot(warehouse_url) == first


def test_a_load_killed_at_any_point_leaves_old_or_new_state_and_the_next_run_finishes(
        warehouse_url: str, fresh_warehouse: Callable[[str], str], tmp_path: Path,
        run_driver: Callable[..., Run]) -> None:
    clean_work = tmp_path / "clean"
    total = finished(run_driver(warehouse_url, clean_work))
    clean = snapshot(warehouse_url)
    manifest = json.loads((clean_work / "manifest.json").read_text())
    points = kill_points(total)
    urls = {n: fresh_warehouse(f"kill{n}") for n in points}
    work = {n: tmp_path / f"kill-{n}" for n in points}

    runs = run_all({n: partial(run_driver, urls[n], work[n], "--kill-after", str(n))
                    for n in points})
    for n, run in runs.items():
        where = f"killed after statement {n} of {total}"
        killed(run, where)
        assert_consistent(snapshot(urls[n]), clean, manifest, where)

    runs = run_all({n: partial(run_driver, urls[n], work[n]) for n in points})
    for n, run in runs.items():
        finished(run)
        assert snapshot(urls[n]) == clean, f"run after a kill at statement {n} of {total}"


def test_a_first_run_killed_while_creating_the_schema_does_not_stop_the_next_run(
        warehouse_url: str, fresh_warehouse: Callable[[str], str], tmp_path: Path,
        run_driver: Callable[..., Run]) -> None:
    clean_run = run_driver(warehouse_url, tmp_path / "clean")
    finished(clean_run)
    clean = snapshot(warehouse_url)
    statements = printed(clean_run, "upgrade_statements")
    points = sorted({3, statements // 3, 2 * statements // 3, statements})
    urls = {n: fresh_warehouse(f"schema{n}") for n in points}
    work = {n: tmp_path / f"schema-{n}" for n in points}

    runs = run_all({n: partial(run_driver, urls[n], work[n], "--kill-in-upgrade-after", str(n))
                    for n in points})
    for n, run in runs.items():
        killed(run, f"upgrade killed after statement {n} of {statements}")
    runs = run_all({n: partial(run_driver, urls[n], work[n]) for n in points})
    for n, run in runs.items():
        errors = [line for line in run.stderr.splitlines() if "Error" in line]
        assert run.returncode == 0, (
            f"run after the upgrade was killed at statement {n} of {statements}: "
            f"{errors[-1] if errors else run.stderr}")
        assert snapshot(urls[n]) == clean, f"upgrade killed at statement {n} of {statements}"
