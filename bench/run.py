"""The benchmark: our monthly consolidation and the naive pipeline on the same N files.

    .venv/bin/python bench/run.py [N ...]        (make bench: N = 1000)
    .venv/bin/python bench/run.py --ours 10000   (ours alone: the naive run of 10,000
                                                  files takes the better part of an hour)

Each pipeline runs in its own process (its peak RSS is its own) against one shared Prefect
server; time per stage comes from the Prefect task runs of the flow run. Prints a table and
writes nothing else; docs/benchmarks.md records the numbers with the machine.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]


def child(kind: str, work: str, period: str) -> None:
    """Run one pipeline in this process and print its measures as JSON."""
    from flows.quiet import quiet_prefect

    quiet_prefect()
    os.environ["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
    root = Path(work)
    started = time.perf_counter()
    if kind == "ours":
        from core.settings import Settings
        from flows.monthly import monthly_consolidation

        settings = Settings(data_dir=root / "var", registry_dir=root / "registry",
                            inbox_dir=root / "inbox", pid_hash_key="bench")
        state = monthly_consolidation(period, settings, return_state=True)
        rerun = rerun_one_changed(root, period, settings)
    else:
        from naive import naive_consolidation

        url = f"sqlite:///{root / 'naive.sqlite'}"
        state = naive_consolidation(str(root / "inbox"), url, str(root / "naive.xlsx"),
                                    return_state=True)
    wall = time.perf_counter() - started
    state.result()  # raises if the run failed
    print(json.dumps({"wall": wall, "stages": stage_times(state.state_details.flow_run_id),
                      "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      **({"rerun": rerun} if kind == "ours" else {})}))


def rerun_one_changed(root: Path, period: str, settings) -> float:  # type: ignore[no-untyped-def]
    """Wall time of the next run after one cell sends a corrected workbook: the other
    999 files are already in the warehouse (content hashes), so only the changed one is
    read, validated and loaded, and the month's reports are rebuilt."""
    import random

    from generate import unit_code, workbook

    from flows.monthly import monthly_consolidation

    folder = root / "inbox" / unit_code(0)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{unit_code(0)}_{period}_v2.xlsx").write_bytes(
        workbook(0, 60, random.Random("a corrected version")))
    started = time.perf_counter()
    summary = monthly_consolidation(period, settings)
    elapsed = time.perf_counter() - started
    assert [r.version for r in summary.rows] == [2], summary.rows  # really re-checked
    return elapsed


def stage_times(flow_run_id) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Wall time of each stage: from the first of its task runs starting to the last one
    ending (a mapped stage runs its chunks side by side: their sum would overstate it)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    spans: dict[str, list] = {}  # type: ignore[type-arg]
    with get_client(sync_client=True) as client:
        offset = 0
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id])), limit=200, offset=offset)
            if not runs:
                break
            for run in runs:
                if run.start_time is None or run.end_time is None:
                    continue
                name = run.name.rsplit("-", 1)[0]
                first, last = spans.get(name, (run.start_time, run.end_time))
                spans[name] = [min(first, run.start_time), max(last, run.end_time)]
            offset += len(runs)
    return {name: (end - start).total_seconds() for name, (start, end) in spans.items()}


def measure(kind: str, files: Path, period: str, api: str) -> dict:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as work:
        shutil.copytree(files / "inbox", Path(work) / "inbox")
        shutil.copytree(files / "registry", Path(work) / "registry")
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, work, period], capture_output=True,
            text=True, env={**os.environ, "PREFECT_API_URL": api}, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{kind} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(sizes: list[int], naive_too: bool = True) -> None:
    from flows.quiet import quiet_prefect

    quiet_prefect()
    from generate import PERIOD, generate
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with prefect_test_harness(server_startup_timeout=60):
        api = PREFECT_API_URL.value()
        for n in sizes:
            files = generate(HERE / ".cache" / f"month-{n}", n)
            measured = {"ours": measure("ours", files, PERIOD, api)}
            if naive_too:
                measured["naive"] = measure("naive", files, PERIOD, api)
            print(f"\n{n} files")
            for name, m in measured.items():
                stages = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(m["stages"].items()))
                print(f"  {name:5}  wall {m['wall']:7.1f} s  {n / m['wall']:7.1f} files/s  "
                      f"peak RSS {m['rss_mib']:6.0f} MiB  stages: {stages}")
            ours = measured["ours"]
            if "naive" in measured:
                print(f"  naive / ours: {measured['naive']['wall'] / ours['wall']:.1f}×")
            print(f"  ours, next run with one corrected file out of {n}: "
                  f"{ours['rerun']:.1f} s (naive: a full run again)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        args = [a for a in sys.argv[1:] if a != "--ours"]
        main([int(a) for a in args] or [1000], naive_too="--ours" not in sys.argv)
