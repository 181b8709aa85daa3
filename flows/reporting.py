"""Writing a month's district outputs from the warehouse — by the flow, or again later by
``cellreports report`` without re-reading any workbook (same data, same bytes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cellreports.periods import last_day
from cellreports.registry import REPORTING_LEVEL, Registry
from cellreports.rulebook import RuleBook
from cellreports.settings import Settings
from reports.district import build_district_workbook
from reports.document import load_document
from reports.export import export_rows, write_export_csv, write_export_json
from warehouse.db import make_engine, session_factory
from warehouse.queries import month_data

PDF_TIMEOUT = 180


@dataclass(frozen=True)
class DistrictOutputs:
    report: Path
    export_csv: Path
    export_json: Path
    missing_units: list[str]
    pdf: Path | None = None


def deadline_day(settings: Settings, period: str) -> int:
    """The reporting cells' deadline in force for the month (config/rules/limits.csv)."""
    return RuleBook.load(settings.rules_file).limits_on(last_day(period),
                                                        REPORTING_LEVEL).deadline_day


def write_district_outputs(settings: Settings, registry: Registry, period: str, *,
                           pdf: bool = False) -> DistrictOutputs:
    """The district workbook and the upward data file (CSV and JSON) for ``period``."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        month = month_data(session, registry, settings.district_code, period,
                           deadline_day=deadline_day(settings, period),
                           timezone=settings.timezone)
    engine.dispose()
    folder = settings.reports / period
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{settings.district_code}_{period}"
    report = folder / f"BaoCaoTongHop_{stem}.xlsx"
    csv_path, json_path = folder / f"DuLieu_{stem}.csv", folder / f"DuLieu_{stem}.json"
    rows = export_rows(month)
    document = load_document(document_file(settings))
    write_atomically(report, build_district_workbook(month, document=document))
    write_atomically(csv_path, write_export_csv(rows))
    write_atomically(json_path, write_export_json(rows))
    missing = [c.unit.code for c in month.cells if not c.accepted]
    return DistrictOutputs(report, csv_path, json_path, missing,
                           pdf=to_pdf(report) if pdf else None)


def document_file(settings: Settings) -> Path:
    """The report's wording: ``document-<unit>.toml`` when a registry serves several
    consolidating units (the communes of 2025), else ``document.toml``."""
    own = settings.registry_dir / f"document-{settings.district_code}.toml"
    return own if own.exists() else settings.registry_dir / "document.toml"


def write_atomically(path: Path, content: bytes) -> None:
    """A reader of the folder never sees half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(workbook: Path) -> Path | None:
    """A PDF beside the workbook through LibreOffice, when it is installed (else None)."""
    binary = soffice()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cellreports-lo-") as profile:
        # a private profile: a desktop LibreOffice or a parallel run never locks this one
        subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(workbook.parent), str(workbook)],
            check=True, capture_output=True, timeout=PDF_TIMEOUT,
            env={**os.environ, "HOME": profile})
    target = workbook.with_suffix(".pdf")
    return target if target.exists() else None
