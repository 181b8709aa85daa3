"""How long the batch validation of N demo-size submissions takes (issue 3's measure).

    .venv/bin/python bench/validate_batch.py [N]

Builds N submissions from the demo's March workbooks (each under its own unit code of a
synthetic registry, so no F04 noise), reads them once, then times ONE validate_batch call
over all of them — with and without the Data Docs site — and prints the numbers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from cellreports.demo import generate_month
from core.registry import Registry, Unit
from core.settings import DEFAULT_REGISTRY
from forms.dispatch import read_any
from validations.context import Context
from validations.frames import BatchItem
from validations.run import engine, validate_batch

PERIOD = "2024-03"
NAIVE_SAMPLE = 20


def synthetic_registry(n: int) -> Registry:
    base = Registry.load(DEFAULT_REGISTRY)
    cells = [Unit(f"C{i:05d}", f"Chi bộ số {i}", "chi_bo", "BL", None, None) for i in range(n)]
    # no targets on record: X03 compares only where one is (a made-up one would warn)
    return Registry([*base.units.values(), *cells], [])


def main(n: int = 1000) -> None:
    registry = Registry.load(DEFAULT_REGISTRY)
    reports = [read_any(f.content).report for f in generate_month(registry, PERIOD)]
    synthetic = synthetic_registry(n)
    items = []
    for i in range(n):
        report = reports[i % len(reports)]
        header = replace(report.header, unit_code=f"C{i:05d}", unit_name=f"Chi bộ số {i}")
        # other people in every cell: the same person in many cells would be H07 findings
        roster = [replace(r, pid=f"{r.pid[:6]}{(i * 100 + k) % 1_000_000:06d}")
                  for k, r in enumerate(report.roster)]
        items.append(BatchItem(replace(report, header=header, roster=roster)))
    rows = sum(len(item.report.roster) for item in items)
    context = Context(registry=synthetic, run_period=PERIOD)
    engine()  # build the GX context once, as a long-running flow does
    start = time.perf_counter()
    findings = validate_batch(items, synthetic, PERIOD, context)
    plain = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as docs:
        engine(Path(docs).resolve())
        start = time.perf_counter()
        validate_batch(items, synthetic, PERIOD, context, docs_dir=Path(docs).resolve())
        with_docs = time.perf_counter() - start
    sample = items[:NAIVE_SAMPLE]
    start = time.perf_counter()
    for item in sample:  # the naive way: one validation per file
        validate_batch([item], synthetic, PERIOD, context)
    naive = (time.perf_counter() - start) / len(sample)
    errors = sum(f.is_error for found in findings for f in found)
    warnings = sum(not f.is_error for found in findings for f in found)
    print(f"{n} submissions, {rows} roster rows: {errors} errors, {warnings} warnings found")
    print(f"one batch validation: {plain:.2f} s = {1000 * plain / n:.1f} ms per submission")
    print(f"with the Data Docs site: {with_docs:.2f} s = {1000 * with_docs / n:.1f} ms per "
          "submission")
    print(f"one validation per file (naive, {len(sample)} timed): {1000 * naive:.0f} ms per "
          f"submission → {naive * n:.0f} s for {n}, {naive * n / plain:.0f}× slower")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
