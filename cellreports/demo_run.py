"""``cellreports demo``: three months of demo workbooks through the monthly flow."""

from __future__ import annotations

import os
from pathlib import Path

from cellreports.console import console, show_outputs, show_runs
from cellreports.registry import Registry
from cellreports.settings import Settings

DEMO_PERIODS = ("2024-01", "2024-02", "2024-03")


def drop_in_inbox(inbox: Path, unit_code: str, filename: str, content: bytes,
                  received_at_ts: float) -> Path:
    """Place a file as its sender would: in the unit's inbox folder, arrival time as mtime."""
    folder = inbox / unit_code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_bytes(content)
    os.utime(path, (received_at_ts, received_at_ts))
    return path


def run_demo(settings: Settings) -> list:  # type: ignore[type-arg]
    from cellreports.demo import demo_course_register, generate_month
    from flows.monthly import monthly_consolidation

    registry = Registry.load(settings.registry_dir)
    register = demo_course_register(registry)
    summaries = []
    for period in DEMO_PERIODS:
        files = generate_month(registry, period)
        if register.received_at.strftime("%Y-%m") == period:  # it arrives in its own month
            files = [register, *files]
        for f in files:
            drop_in_inbox(settings.inbox, f.unit_code, f.filename, f.content,
                          f.received_at.timestamp())
        with console.status(f"Consolidating {period} ({len(files)} files)…"):
            summaries.append(monthly_consolidation(period, settings))
        console.print(f"[green]✓[/] {period}: {len(files)} files handled")
    show_runs(summaries)
    for summary in summaries:
        show_outputs(summary)
    return summaries
