"""The web page's latency: from sending an upload to the verdict page, 20 cells at once.

    .venv/bin/python bench/web_latency.py [CELLS] [--rounds R]     (make bench-web)

On a warm server (uvicorn in this process, one upload checked before the measure), each of
CELLS signed-in cells (default 20) sends its 60-row workbook at the same moment; a cell's
latency is from the start of its request to the end of the verdict page it is sent to.
Measured on the embedded SQLite and on the local PostgreSQL, our way (uploads that arrive
together are checked together, services.uploads.Intake) beside the naive way (each upload
checked alone, one after another), in the same run. Prints a table; docs/benchmarks.md keeps
the numbers.
"""

from __future__ import annotations

import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARCH_20 = datetime(2024, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class OneAtATime:
    """The naive page: each upload read, checked, loaded and answered alone, in turn."""

    def __init__(self, level):  # type: ignore[no-untyped-def]
        self.level, self.lock = level, threading.Lock()

    def take(self, upload):  # type: ignore[no-untyped-def]
        from services.uploads import take_upload

        with self.lock:
            return take_upload(self.level, upload.unit_code, upload.filename, upload.content,
                               upload.received_at)


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    if kind == "sqlite":
        yield None
        return
    from sqlalchemy import create_engine, text

    name = f"bench_web_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from warehouse.unit_of_work import Warehouse

        Warehouse.dispose_all() if hasattr(Warehouse, "dispose_all") else None
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def measure(kind: str, naive: bool, cells: int, books: list[bytes], root: Path) -> list[float]:
    import httpx
    import uvicorn
    from generate import unit_code, write_registry

    from core.registry import Registry
    from core.settings import Settings
    from services.accounts import add_account
    from warehouse.unit_of_work import Warehouse
    from web.app import create_app

    with database(kind) as url:
        work = root / f"{kind}-{'naive' if naive else 'ours'}"
        write_registry(work / "registry", cells + 1)
        settings = Settings(data_dir=work / "var", registry_dir=work / "registry",
                            pid_hash_key="bench", warehouse_url=url,
                            web_login_attempts=100)
        registry = Registry.load(settings.registry_dir)
        Warehouse.of(settings).ready(registry)
        passwords = {unit_code(i): add_account(settings, registry, unit_code(i))[1]
                     for i in range(cells + 1)}
        app = create_app(settings, clock=lambda: MARCH_20)
        if naive:
            app.state.desk.intake = OneAtATime(app.state.desk.level)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="error", limit_concurrency=200))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"

        def signed_in(code: str) -> tuple[httpx.Client, str]:
            client = httpx.Client(base_url=base, timeout=600)
            token = _csrf(client.get("/dang-nhap").text)
            client.post("/dang-nhap", data={"login": code, "password": passwords[code],
                                            "csrf": token})
            return client, _csrf(client.get("/").text)

        def upload(client: httpx.Client, token: str, code: str, content: bytes) -> float:
            started = time.perf_counter()
            answer = client.post("/nop", data={"csrf": token}, follow_redirects=True,
                                 files={"file": (f"{code}_2024-03.xlsx", content)})
            assert answer.status_code == 200 and "verdict" in answer.text, answer.text[:300]
            return time.perf_counter() - started

        warm = unit_code(cells)  # the server's first check (GX's context, the reader)
        upload(*signed_in(warm), warm, books[cells])
        sessions = [signed_in(unit_code(i)) for i in range(cells)]
        barrier = threading.Barrier(cells)
        latencies: list[float] = [0.0] * cells

        def one(i: int) -> None:
            client, token = sessions[i]
            barrier.wait()
            latencies[i] = upload(client, token, unit_code(i), books[i])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(cells)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        server.should_exit = True
        for client, _token in sessions:
            client.close()
        time.sleep(0.5)
        return latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(cells: int = 20, rounds: int = 1) -> None:
    from generate import workbook

    from flows.quiet import quiet_prefect

    quiet_prefect()
    books = [workbook(i, 60, random.Random(i)) for i in range(cells + 1)]
    print(f"{cells} cells uploading a 60-row workbook at once, warm server, {rounds} round(s)")
    print(f"{'warehouse':<11}{'way':<24}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sqlite", "postgresql"):
            for naive in (False, True):
                found: list[float] = []
                for r in range(rounds):
                    found += measure(kind, naive, cells, books, Path(tmp) / f"r{r}")
                way = "one at a time (naive)" if naive else "batched (ours)"
                print(f"{kind:<11}{way:<24}{statistics.median(found):>8.2f}"
                      f"{p95(found):>8.2f}{max(found):>8.2f}", flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 1
    if "--rounds" in sys.argv:
        args.remove(str(rounds))
    main(int(args[0]) if args else 20, rounds)
