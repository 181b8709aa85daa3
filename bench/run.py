"""The benchmark: our monthly consolidation and the naive pipeline on the same N files.

    .venv/bin/python bench/run.py [N ...] [--repeats R]   (make bench: N = 1000, R = 3)
    .venv/bin/python bench/run.py --ours 10000            (ours alone: the naive run of
                                                           10,000 files takes most of an hour)

Fair by construction (issue 21):

- every run of either pipeline gets a Prefect server of its own, started afresh on an empty
  database (no history of the other runs to query or to write beside), in its own process;
- the two pipelines alternate (ours first in odd repeats, naive first in even ones), so
  that neither always runs on a warmer or a more tired machine;
- each pair is repeated (3 unless told): the table gives the median and the range, and the
  ratio is computed from the medians of the same run;
- peak memory is the whole process tree's: the pipeline's process and every child it
  starts (the read sandbox, process pools), sampled every 250 ms — the largest sum of their
  resident sets, and of their proportional sets (PSS: a page shared by a fork counted once
  over its sharers). The Prefect server is measured apart.

Time per stage comes from the Prefect task runs of the flow run. Prints a table and writes
nothing else; docs/benchmarks.md records the numbers with the machine.
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
        wall = time.perf_counter() - started  # the month's run alone, as the naive one's
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
    """Wall time of each stage: the time any of its task runs was running (the union of
    their intervals). A mapped stage runs its chunks side by side (their sum would
    overstate it); a streamed month runs a stage once per batch, with other stages between
    (the span from its first start to its last end would count those)."""
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
                if run.start_time is not None and run.end_time is not None:
                    spans.setdefault(run.name.rsplit("-", 1)[0], []).append(
                        (run.start_time, run.end_time))
            offset += len(runs)
    return {name: _union(intervals) for name, intervals in spans.items()}


def _union(intervals: list) -> float:  # type: ignore[type-arg]
    """Seconds covered by at least one of the (start, end) intervals."""
    total, end = 0.0, None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += (stop - start).total_seconds()
            end = stop
        elif stop > end:
            total += (stop - end).total_seconds()
            end = stop
    return total


class TreeMemory:
    """The peak memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.25):
        import threading

        self.pid, self.interval = pid, interval
        self.rss = self.pss = 0  # bytes, the largest sums seen
        self.processes = 0  # the most processes seen at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = pss = 0
            for process in tree:
                try:
                    rss += process.memory_info().rss
                    pss += _pss(process.pid)
                except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
                    continue
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.processes = max(self.processes, len(tree))
            self._stop.wait(self.interval)


def _pss(pid: int) -> int:
    """The process's proportional set size in bytes (Linux's smaps_rollup; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class FreshServer:
    """``prefect server start`` on a free port with a Prefect home (and database) of its own,
    stopped and deleted afterwards."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="bench-prefect-"))
        self.port = _free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0

    def __enter__(self) -> FreshServer:
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_UI_ENABLED": "false",
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_healthy(self.api, self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        import psutil

        assert self.process is not None
        try:
            tree = [psutil.Process(self.process.pid),
                    *psutil.Process(self.process.pid).children(recursive=True)]
            self.peak_rss = sum(p.memory_info().rss for p in tree)
        except psutil.NoSuchProcess:
            pass
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(api: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Prefect server stopped (exit {process.returncode})")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("the Prefect server did not answer in time")


def measure(kind: str, files: Path, period: str) -> dict:  # type: ignore[type-arg]
    """One run of ``kind`` on a copy of ``files``, against its own fresh Prefect server."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as work, FreshServer() as server:
        shutil.copytree(files / "inbox", Path(work) / "inbox")
        shutil.copytree(files / "registry", Path(work) / "registry")
        child_ = subprocess.Popen(
            [sys.executable, __file__, "--child", kind, work, period], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PREFECT_API_URL": server.api})
        with TreeMemory(child_.pid) as memory:
            out, err = child_.communicate()
        if child_.returncode != 0:
            raise SystemExit(f"{kind} failed:\n{err[-4000:]}")
        result = json.loads(out.strip().splitlines()[-1])
    return {**result, "tree_rss_mib": memory.rss / 2**20, "tree_pss_mib": memory.pss / 2**20,
            "processes": memory.processes, "server_rss_mib": server.peak_rss / 2**20}


def spread(values: list[float], unit: str = "s", digits: int = 1) -> str:
    """``median [min–max]``."""
    import statistics

    return (f"{statistics.median(values):.{digits}f} {unit} "
            f"[{min(values):.{digits}f}–{max(values):.{digits}f}]")


def report(n: int, runs: dict[str, list[dict]]) -> None:  # type: ignore[type-arg]
    import statistics

    print(f"\n{n} files, {len(next(iter(runs.values())))} runs each "
          "(median [range]); each run on a fresh Prefect server")
    for name, measured in runs.items():
        walls = [m["wall"] for m in measured]
        print(f"  {name:5}  wall {spread(walls)}  "
              f"{n / statistics.median(walls):.1f} files/s")
        print(f"         peak memory of the process tree: RSS "
              f"{spread([m['tree_rss_mib'] for m in measured], 'MiB', 0)}, PSS "
              f"{spread([m['tree_pss_mib'] for m in measured], 'MiB', 0)} "
              f"(up to {max(m['processes'] for m in measured)} processes); the flow "
              f"process alone {spread([m['rss_mib'] for m in measured], 'MiB', 0)}")
        stages = sorted({k for m in measured for k in m["stages"]})
        print("         stages: " + ", ".join(
            f"{k} {statistics.median(m['stages'].get(k, 0.0) for m in measured):.1f}s"
            for k in stages))
        if "rerun" in measured[0]:
            print(f"         next run with one corrected file out of {n}: "
                  f"{spread([m['rerun'] for m in measured])}")
    if "naive" in runs and "ours" in runs:
        ours = [m["wall"] for m in runs["ours"]]
        naive = [m["wall"] for m in runs["naive"]]
        pairs = [b / a for a, b in zip(ours, naive, strict=True)]
        print(f"  naive / ours: {statistics.median(naive) / statistics.median(ours):.2f}× "
              f"(the medians; each repeat's pair: "
              f"{', '.join(f'{p:.2f}×' for p in pairs)})")


def main(sizes: list[int], naive_too: bool = True, repeats: int = 3) -> None:
    from flows.quiet import quiet_prefect

    quiet_prefect()
    from generate import PERIOD, generate

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    kinds = ["ours", "naive"] if naive_too else ["ours"]
    for n in sizes:
        files = generate(HERE / ".cache" / f"month-{n}", n)
        runs: dict[str, list[dict]] = {kind: [] for kind in kinds}  # type: ignore[type-arg]
        for repeat in range(repeats):
            order = kinds if repeat % 2 == 0 else kinds[::-1]
            for kind in order:
                runs[kind].append(measure(kind, files, PERIOD))
                print(f"  {n} files, repeat {repeat + 1}/{repeats}, {kind}: "
                      f"{runs[kind][-1]['wall']:.1f} s", flush=True)
        report(n, runs)


def _options(argv: list[str]) -> tuple[list[int], bool, int]:
    repeats, sizes, rest = 3, [], iter(argv)
    for arg in rest:
        if arg == "--repeats":
            repeats = int(next(rest))
        elif arg != "--ours":
            sizes.append(int(arg))
    return sizes or [1000], "--ours" not in argv, repeats


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(*_options(sys.argv[1:]))
