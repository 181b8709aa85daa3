"""Writing a month's district outputs from the warehouse — by the flow, or again later by
``cellreports report`` without re-reading any workbook (same data, same bytes)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from core.kinds import CELL_REPORT, DISTRICT_DATA
from core.month import MonthData, UnitStatus
from core.periods import last_day
from core.registry import REPORTING_LEVEL, Registry, RegistryError
from core.rulebook import RuleBook
from core.settings import PROVINCE, Settings
from reports.district import INTERNAL_SHEETS, build_district_workbook
from reports.document import DocumentHeader, load_document
from reports.export import write_export_csv, write_export_json, write_export_to
from reports.inputs import inputs_digest
from reports.province_export import province_export_rows
from reports.provincial import build_provincial_workbook, province_document
from reports.sheetstyle import printed_copy, sheet_names
from reports.word_report import build_district_word, build_province_word, word_report_name
from services.workers import Workers, lasting_worker, result_or_here, worker_count
from warehouse.province_queries import expected_districts, province_month
from warehouse.queries import month_data
from warehouse.report_log import (
    Content,
    SpoolFile,
    accepted_months,
    discard_made,
    in_use_ids,
    is_stale,
    record_builds,
    recorded_inputs,
)
from warehouse.unit_of_work import Warehouse

PDF_TIMEOUT = 180
REPORTS_WORKER = "reports"  # the lasting worker that builds large district workbooks
MIN_UNITS_BESIDE = 200
INTERNAL_PREFIX = "DanhSachTheoDoi"


@dataclass(frozen=True)
class Outputs:
    """What one level writes for a month: its workbook and its upward data file, and when
    asked the workbook printed (PrintedReport)."""

    report: Path
    export_csv: Path
    export_json: Path
    missing: list[str]  # expected units without valid data
    pdf: Path | None = None  # the report for sending: no name, no date of birth, no ID
    statuses: tuple[UnitStatus, ...] = ()  # each expected unit's state: the completeness table
    internal_pdf: Path | None = None  # the district's follow-up list (names): never sent
    word: Path | None = None  # BaoCao_<unit>_<month>.docx: the editable report to sign


@dataclass(frozen=True)
class PrintedReport:
    """A month's workbook printed through LibreOffice, beside it, as two documents."""

    sending: Path  # BaoCaoTongHop_<unit>_<month>.pdf: every sheet without personal data
    internal: Path | None  # DanhSachTheoDoi_<unit>_<month>.pdf: the sheets naming people


def deadline_day(settings: Settings, period: str, level: str = REPORTING_LEVEL) -> int:
    """The deadline in force for the month of the units of ``level`` (the reporting cells
    unless told; a district's or commune's own row, config/rules/limits.csv)."""
    return RuleBook.load(settings.rules_file).limits_on(last_day(period), level).deadline_day


def output_paths(root: Path, unit_code: str, period: str) -> tuple[Path, Path, Path]:
    """Where a level's outputs of a month go: the workbook, the data file and its JSON twin
    (``<root>/<month>/BaoCaoTongHop_<unit>_<month>.xlsx``, ``DuLieu_<unit>_<month>.csv``)."""
    folder, stem = root / period, f"{unit_code}_{period}"
    return (folder / f"BaoCaoTongHop_{stem}.xlsx", folder / f"DuLieu_{stem}.csv",
            folder / f"DuLieu_{stem}.json")


@dataclass(frozen=True)
class PreparedOutputs:
    """A month's district outputs built before they are recorded: the submissions in use
    and the digest of everything they were built from (reports.inputs), and each output's
    bytes (or the file it was written in) by kind."""

    in_use: list[int]
    inputs: str
    contents: dict[str, Content]

    def discard(self) -> None:
        """Not recorded: the files made for them are removed."""
        discard_made(self.contents.values())


def _district_paths(settings: Settings, period: str) -> dict[str, Path]:
    report, csv_path, json_path = output_paths(settings.reports, settings.district_code, period)
    word = report.with_name(word_report_name(settings.district_code, period))
    return {"workbook": report, "word": word, "data_csv": csv_path, "data_json": json_path}


def prepare_district_outputs(settings: Settings, registry: Registry,
                             period: str) -> PreparedOutputs | None:
    """The month's outputs built from the warehouse as it is now, and not recorded: a run
    builds them while it answers the files, and ``write_district_outputs`` records them if
    nothing they are built from has changed by then. None when those on disk already come
    from the same inputs (nothing to build)."""
    paths = _district_paths(settings, period)
    with Warehouse.of(settings).session() as session:
        in_use = district_in_use(session, registry, settings.district_code, period)
        recorded = recorded_inputs(session, settings.district_code, period, paths, in_use)
        with _workbook_workers(settings, registry, recorded is None) as workers:
            month = _month(session, settings, registry, period)
            document = load_document(document_file(settings))
            inputs = inputs_digest(month, document)
            if inputs == recorded:
                return None
            return PreparedOutputs(in_use, inputs, _build(workers, month, document,
                                                          settings.reports))


def write_district_outputs(settings: Settings, registry: Registry, period: str, *,
                           pdf: bool = False, prepared: PreparedOutputs | None = None,
                           ) -> Outputs:
    """The district workbook, the Word report and the upward data file (CSV and JSON) for
    ``period``, written and recorded as a new version (warehouse.report_log) in one
    transaction; left as they are when those on disk were built from the same month, the
    same wording and the same code (reports.inputs). Outputs ``prepared`` earlier are
    recorded as they are when built from the same submissions and the same inputs."""
    paths = _district_paths(settings, period)
    with Warehouse.of(settings).session() as session:
        in_use = district_in_use(session, registry, settings.district_code, period)
        # None: the files on disk were not built from these submissions (a new file), so
        # the month is rebuilt whatever its digest; a worker is started only then
        recorded = recorded_inputs(session, settings.district_code, period, paths, in_use)
        ready = prepared is not None and prepared.in_use == in_use
        # (built beforehand, the workbook needs no worker here: were the month to have
        # changed since, it is built here, as the rest)
        with _workbook_workers(settings, registry, recorded is None and not ready) as workers:
            month = _month(session, settings, registry, period)
            document = load_document(document_file(settings))
            inputs = inputs_digest(month, document)
            # the same digest: nothing they are built from changed (a run with no new file,
            # a rejected correction); the outputs are left as they are
            fresh = ready and prepared.inputs == inputs  # type: ignore[union-attr]
            use = prepared if fresh and inputs != recorded else None
            if prepared is not None and use is None:
                prepared.discard()  # not recorded: the files made for them go
            if inputs != recorded:
                contents = use.contents if use is not None \
                    else _build(workers, month, document, settings.reports)
                record_builds(session, settings.reports, settings.district_code, period,
                              {kind: (paths[kind], contents[kind]) for kind in paths},
                              in_use, inputs)
    report = paths["workbook"]
    missing = [c.unit.code for c in month.cells if not c.accepted]
    printed = print_report(report) if pdf else None
    return Outputs(report, paths["data_csv"], paths["data_json"], missing,
                   pdf=printed.sending if printed else None, statuses=tuple(month.cells),
                   internal_pdf=printed.internal if printed else None, word=paths["word"])


def _workbook_workers(settings: Settings, registry: Registry,
                      building: bool) -> contextlib.AbstractContextManager[Workers]:
    """The workbook, half the time of a large district's outputs, is built on another core
    while this process builds the rest (the same bytes: a pure function of the month), by
    a worker kept for the life of this process (``lasting_worker``: its start and imports
    paid once, while the first month is read, and never waited for at the end of a build)
    — only when the month is to be built (the outputs on disk do not come from these
    submissions)."""
    if not (building and _large(settings, registry)):
        return Workers(0)
    workers = lasting_worker(REPORTS_WORKER)
    workers.warm_up("reports.district")
    return contextlib.nullcontext(workers)


def _month(session: Session, settings: Settings, registry: Registry, period: str) -> MonthData:
    return month_data(session, registry, settings.district_code, period,
                      deadline_day=deadline_day(settings, period), timezone=settings.timezone)


def _build(workers: Workers, month: MonthData, document: DocumentHeader,
           reports_root: Path) -> dict[str, Content]:
    """Each output by kind: the workbook on ``workers``, the rest here meanwhile; the data
    file written as it is made (under ``reports_root``'s spool: 330 MB of text at 10,000
    cells, never held)."""
    workbook = workers.submit(build_district_workbook, month, document=document)
    with SpoolFile(reports_root, ".csv") as data_csv, SpoolFile(reports_root, ".json") as data_json:
        write_export_to(month, data_csv, data_json)
    made = {"data_csv": data_csv.made, "data_json": data_json.made}
    try:
        word = build_district_word(month, document)  # while the workbook is built
        return {"workbook": result_or_here(workbook, build_district_workbook, month,
                                           document=document), "word": word, **made}
    except BaseException:  # nothing to record: the files made for it go
        discard_made(made.values())
        raise


def _large(settings: Settings, registry: Registry) -> bool:
    """Is the district large enough, and the machine wide enough, for the workbook to be
    built beside the rest? (A worker costs ~0.7 s of another core to start; the workbook
    of 1,000 cells ~2.5 s, of the demo's four ~0.1 s.)"""
    return (worker_count(settings.cpu_workers) > 1
            and len(registry.units) >= MIN_UNITS_BESIDE)


def write_province_outputs(settings: Settings, registry: Registry, province: str,
                           period: str, *, pdf: bool = False) -> Outputs:
    """The provincial workbook and the province's own data file for ``period``, from the
    districts' (communes') accepted data files, recorded as a new version."""
    districts = expected_districts(registry, province, period)
    root = settings.paths(PROVINCE).reports
    report, csv_path, json_path = output_paths(root, province, period)
    with Warehouse.of(settings).session() as session:
        data = province_month(session, registry, province, period,
                              deadline_day=deadline_day(settings, period,
                                                        level_below(registry, province, period)),
                              timezone=settings.timezone)
        rows = province_export_rows(data)
        # the province's own number, signer and table label over its default wording
        document = load_document(settings.province_registry_dir / f"document-{province}.toml",
                                 province_document(data))
        word = report.with_name(word_report_name(province, period))
        record_builds(session, root, province, period, {
            "workbook": (report, build_provincial_workbook(data, document=document)),
            "word": (word, build_province_word(data, document)),
            "data_csv": (csv_path, write_export_csv(rows)),
            "data_json": (json_path, write_export_json(rows)),
        }, in_use_ids(session, [d.code for d in districts], period, DISTRICT_DATA))
    printed = print_report(report) if pdf else None
    return Outputs(report, csv_path, json_path, [d.unit.code for d in data.missing()],
                   pdf=printed.sending if printed else None, statuses=tuple(data.districts),
                   internal_pdf=printed.internal if printed else None, word=word)


def level_below(registry: Registry, province: str, period: str) -> str:
    """The level of the units that report to the province (``huyen`` or ``xa``): the row
    of config/rules/limits.csv whose deadline they keep."""
    levels = sorted({u.level for u in expected_districts(registry, province, period)})
    return levels[0] if levels else "huyen"


def province_of(registry: Registry) -> str:
    """The registry's top unit (the province)."""
    tops = sorted(u.code for u in registry.units.values() if u.parent_code is None)
    if len(tops) != 1:
        raise RegistryError(f"the registry must have exactly one top unit, not {tops}")
    return tops[0]


def district_in_use(session: Session, registry: Registry, district: str,
                    period: str) -> list[int]:
    return in_use_ids(session, reporting_units(registry, district, period, CELL_REPORT),
                      period, CELL_REPORT)


def reporting_units(registry: Registry, unit_code: str, period: str, kind: str) -> list[str]:
    """Who reports to ``unit_code`` with files of ``kind``: its reporting cells (workbooks),
    or the units directly below it that have cells (data files, at the province)."""
    if kind == DISTRICT_DATA:
        return [u.code for u in expected_districts(registry, unit_code, period)]
    return [c.code for c in registry.reporting_cells(unit_code, period)]


def stale_periods(settings: Settings, registry: Registry, up_to: str, *,
                  unit_code: str | None = None, kind: str = CELL_REPORT) -> list[str]:
    """Months up to ``up_to`` whose reports were built from other submissions than those
    in force now: a late or corrected file, or a run that died before its report step.
    The district's months unless ``unit_code`` and ``kind`` say another level's."""
    unit_code = unit_code or settings.district_code
    below = [u.code for u in registry.units.values() if u.parent_code == unit_code]
    with Warehouse.of(settings).session() as session:
        return [p for p in accepted_months(session, below, kind, up_to) if is_stale(
            session, unit_code, p, "workbook", in_use_ids(
                session, reporting_units(registry, unit_code, p, kind), p, kind))]


def document_file(settings: Settings) -> Path:
    """The report's wording: ``document-<unit>.toml`` when a registry serves several
    consolidating units (the communes of 2025), else ``document.toml``."""
    own = settings.registry_dir / f"document-{settings.district_code}.toml"
    return own if own.exists() else settings.registry_dir / "document.toml"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def internal_pdf_path(workbook: Path) -> Path:
    """``…/BaoCaoTongHop_BL_2024-03.xlsx`` -> ``…/DanhSachTheoDoi_BL_2024-03.pdf``."""
    stem = workbook.stem.split("_", 1)[-1]
    return workbook.with_name(f"{INTERNAL_PREFIX}_{stem}.pdf")


def print_report(workbook: Path) -> PrintedReport | None:
    """The workbook printed to PDF beside it, when LibreOffice is installed (else None):
    the report for sending (``BaoCaoTongHop_….pdf``: every sheet but those naming people)
    and, if the workbook has such sheets, the district's internal list
    (``DanhSachTheoDoi_….pdf``). The workbook itself stays whole; each PDF is printed from
    a copy that shows only its own sheets (one LibreOffice run for both)."""
    binary = soffice()
    if binary is None:
        return None
    content = workbook.read_bytes()
    names = sheet_names(content)
    internal = [n for n in names if n in INTERNAL_SHEETS]
    sending = [n for n in names if n not in INTERNAL_SHEETS]
    targets = {workbook.with_suffix(".pdf"): printed_copy(content, sending)}
    if internal:
        targets[internal_pdf_path(workbook)] = printed_copy(content, internal)
    with tempfile.TemporaryDirectory(prefix="cellreports-lo-") as tmp:
        profile, work = Path(tmp, "profile"), Path(tmp, "work")
        work.mkdir()
        copies = []
        for target, copy in targets.items():
            copies.append(work / f"{target.stem}.xlsx")
            copies[-1].write_bytes(copy)
        # a private profile: a desktop LibreOffice or a parallel run never locks this one
        subprocess.run(
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(work), *map(str, copies)],
            check=True, capture_output=True, timeout=PDF_TIMEOUT,
            env={**os.environ, "HOME": str(profile)})
        made = {target for target in targets if (work / target.name).exists()}
        for target in made:
            shutil.move(work / target.name, target)
    sending_pdf = workbook.with_suffix(".pdf")
    if sending_pdf not in made:
        return None
    internal_pdf = internal_pdf_path(workbook)
    return PrintedReport(sending_pdf, internal_pdf if internal_pdf in made else None)


def to_pdf(workbook: Path) -> Path | None:
    """The report for sending, printed beside the workbook (and the internal list with it,
    see ``print_report``); None without LibreOffice or when it made no PDF."""
    printed = print_report(workbook)
    return printed.sending if printed else None
