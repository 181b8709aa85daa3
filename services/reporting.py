"""Writing a month's district outputs from the warehouse — by the flow, or again later by
``cellreports report`` without re-reading any workbook (same data, same bytes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from core.kinds import CELL_REPORT
from core.month import UnitStatus
from core.periods import last_day
from core.registry import REPORTING_LEVEL, Registry
from core.rulebook import RuleBook
from core.settings import Settings
from reports.district import build_district_workbook
from reports.document import load_document
from reports.export import export_rows, write_export_csv, write_export_json
from warehouse.queries import month_data
from warehouse.report_log import accepted_months, in_use_ids, is_stale, record_builds
from warehouse.unit_of_work import Warehouse

PDF_TIMEOUT = 180


@dataclass(frozen=True)
class DistrictOutputs:
    report: Path
    export_csv: Path
    export_json: Path
    missing_units: list[str]
    pdf: Path | None = None
    cells: tuple[UnitStatus, ...] = ()  # each expected cell's state: the completeness table


def deadline_day(settings: Settings, period: str) -> int:
    """The reporting cells' deadline in force for the month (config/rules/limits.csv)."""
    return RuleBook.load(settings.rules_file).limits_on(last_day(period),
                                                        REPORTING_LEVEL).deadline_day


def write_district_outputs(settings: Settings, registry: Registry, period: str, *,
                           pdf: bool = False) -> DistrictOutputs:
    """The district workbook and the upward data file (CSV and JSON) for ``period``, written
    and recorded as a new version (warehouse.report_log) in one transaction."""
    folder = settings.reports / period
    stem = f"{settings.district_code}_{period}"
    report = folder / f"BaoCaoTongHop_{stem}.xlsx"
    csv_path, json_path = folder / f"DuLieu_{stem}.csv", folder / f"DuLieu_{stem}.json"
    with Warehouse.of(settings).session() as session:
        month = month_data(session, registry, settings.district_code, period,
                           deadline_day=deadline_day(settings, period),
                           timezone=settings.timezone)
        rows = export_rows(month)
        document = load_document(document_file(settings))
        record_builds(session, settings.reports, settings.district_code, period, {
            "workbook": (report, build_district_workbook(month, document=document)),
            "data_csv": (csv_path, write_export_csv(rows)),
            "data_json": (json_path, write_export_json(rows)),
        }, district_in_use(session, registry, settings.district_code, period))
    missing = [c.unit.code for c in month.cells if not c.accepted]
    return DistrictOutputs(report, csv_path, json_path, missing,
                           pdf=to_pdf(report) if pdf else None, cells=tuple(month.cells))


def district_in_use(session: Session, registry: Registry, district: str,
                    period: str) -> list[int]:
    cells = [c.code for c in registry.reporting_cells(district, period)]
    return in_use_ids(session, cells, period, CELL_REPORT)


def stale_periods(settings: Settings, registry: Registry, up_to: str) -> list[str]:
    """Months up to ``up_to`` whose reports were built from other submissions than those
    in force now: a late or corrected file, or a run that died before its report step."""
    cells = [u.code for u in registry.units.values() if u.parent_code == settings.district_code]
    with Warehouse.of(settings).session() as session:
        return [p for p in accepted_months(session, cells, CELL_REPORT, up_to) if is_stale(
            session, settings.district_code, p, "workbook",
            district_in_use(session, registry, settings.district_code, p))]


def document_file(settings: Settings) -> Path:
    """The report's wording: ``document-<unit>.toml`` when a registry serves several
    consolidating units (the communes of 2025), else ``document.toml``."""
    own = settings.registry_dir / f"document-{settings.district_code}.toml"
    return own if own.exists() else settings.registry_dir / "document.toml"


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
