"""What the officers' reports page shows and does: a month's reports of one consolidating
level (the district's or commune's, or the province's), their earlier versions with the
figures that changed between them, the month's approval (the CLI's lock), the PDF for
sending, and the GX Data Docs site of the level.

Every file served is found through the report log (warehouse.report_log) or under the
level's own folder, never from a path given by the request: a name the month's builds do
not know, a version of another unit or month, a path that leaves the Data Docs site is
None, and the page says 404."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.errors import CellreportsError
from core.layout import INDICATOR_LABELS, POPULATION_LABELS
from core.registry import Registry
from core.settings import DISTRICT, PROVINCE, Settings
from reports.province_sheets import BREAKDOWN_LABELS
from services import reporting
from warehouse import models as m
from warehouse.approval import AlreadyApproved, NotApproved, PeriodState
from warehouse.queries import as_utc
from warehouse.unit_of_work import Warehouse

__all__ = ["AlreadyApproved", "ApprovalEvent", "BuildFile", "Change", "MonthState",
           "NoLibreOffice", "NotApproved", "PdfFailed", "Pending", "ReportFile",
           "ReportsMonth", "Version", "approve", "build_pdf", "data_docs_file",
           "data_docs_site", "earlier_version", "has_libreoffice", "month_reports",
           "reopen", "report_file"]

# What each recorded output is, as the page names it
KIND_LABELS = {"workbook": "Báo cáo tổng hợp (bảng tính Excel)",
               "word": "Báo cáo gửi cấp trên (Word, bản dự thảo để ký)",
               "pdf": "Báo cáo tổng hợp để gửi (PDF)",
               "internal_pdf": "Danh sách theo dõi nội bộ (PDF, có họ tên — không gửi cấp "
                               "trên)",
               "data_csv": "Tệp dữ liệu gửi cấp trên (CSV)",
               "data_json": "Tệp dữ liệu gửi cấp trên (JSON)"}
KINDS = ("workbook", "word", "data_csv", "data_json")  # the kinds record_builds writes, in order
PDF = ".pdf"
# What names people (the district workbook's CanQuanTam sheet, the internal list printed
# from it): only the district's own officers get these files. The province's officer reads
# the district's month without them, as its data reaches the province: the PDF for sending,
# the Word report and the data file.
WITH_NAMES = ("workbook", "internal_pdf")


class NoLibreOffice(CellreportsError):
    """LibreOffice is not installed on the desk's machine: no PDF can be made here."""

    heading = "No LibreOffice"
    exit_code = 1


class PdfFailed(CellreportsError):
    """LibreOffice did not turn the workbook into a PDF (it failed or took too long)."""

    heading = "PDF not made"
    exit_code = 1


@dataclass(frozen=True)
class ReportFile:
    """A current output file of the month, in the month's folder."""

    kind: str  # workbook | pdf | data_csv | data_json
    name: str
    size: int  # bytes
    written_at: datetime  # local time
    stale: bool = False  # a PDF older than the workbook it was made from

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.name)


@dataclass(frozen=True)
class BuildFile:
    """One file of an earlier (or the current) version, retrievable by its build id."""

    build_id: int
    kind: str
    name: str

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.name)


@dataclass(frozen=True)
class Change:
    """A figure that changed after it was first reported, and the file that changed it."""

    unit_code: str
    unit_name: str
    indicator: str
    indicator_label: str
    population: str  # its label (Học sinh, Viên chức)
    breakdown: str  # its label (Tổng số, Nữ, …)
    old: int | None
    new: int | None
    filename: str
    version: int | None
    changed_at: datetime  # local time


@dataclass
class Version:
    """The files one build wrote together, and the changes it was the first to include."""

    number: int  # 1 for the month's first build
    built_at: datetime  # local time
    files: list[BuildFile] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class ApprovalEvent:
    action: str  # approved | reopened
    actor: str
    at: datetime  # local time
    applied: int  # corrections applied on reopening


@dataclass(frozen=True)
class Pending:
    """A correction that arrived after the month was approved: it waits for a reopening."""

    unit_code: str
    unit_name: str
    version: int | None
    filename: str
    received_at: datetime  # local time


@dataclass(frozen=True)
class MonthState:
    approved: bool
    approved_by: str | None
    approved_at: datetime | None  # local time


@dataclass(frozen=True)
class ReportsMonth:
    """The reports page of a month of one level."""

    unit_code: str
    period: str
    files: list[ReportFile]  # the current files (the PDF when one was made)
    pdf_wanted: bool  # a workbook with no PDF, or a PDF older than it
    versions: list[Version]  # newest first
    unreported: list[Change]  # changes no version includes yet
    approvals: list[ApprovalEvent]
    state: MonthState
    pending: list[Pending]
    data_docs: bool  # the level's Data Docs site exists


def level_of(at_province: bool) -> str:
    return PROVINCE if at_province else DISTRICT


def reports_root(settings: Settings, level: str) -> Path:
    """The level's reports folder (the district's may be set apart, the province's is
    under DATA_DIR/province)."""
    return settings.paths(level).reports


# ---- the page


def month_reports(settings: Settings, registry: Registry, unit_code: str, level: str,
                  period: str, *, names: bool = True) -> ReportsMonth:
    """Everything the reports page shows of ``unit_code``'s ``period`` (``registry``: the
    level's, whose units below ``unit_code`` send it files)."""
    zone = ZoneInfo(settings.timezone)
    warehouse = Warehouse.of(settings)
    history = warehouse.month_history(unit_code, period)
    states, waiting = warehouse.months(unit_code)
    below = {u.code: u.name for u in registry.units.values() if u.parent_code == unit_code}
    changes = [_change(change, sub, registry, zone) for change, sub in history.changes
               if sub.unit_code in below]
    builds = history.builds if names else _without_names(history.builds)
    versions, unreported = _versions(builds, changes, zone)
    files = current_files(settings, level, history.builds, zone, names=names)
    workbook = next((f for f in files if f.kind == "workbook"), None)
    pdf = next((f for f in files if f.kind == "pdf"), None)
    return ReportsMonth(
        unit_code, period, files,
        pdf_wanted=names and workbook is not None and (pdf is None or pdf.stale),
        versions=versions, unreported=unreported,
        approvals=[ApprovalEvent(e.action, e.actor, _local(e.at, zone), e.applied)
                   for e in history.approvals],
        state=_state(states, period, zone),
        pending=[Pending(s.unit_code or "", below.get(s.unit_code or "", ""), s.version,
                         s.filename, _local(s.received_at, zone))
                 for s in waiting if s.period == period],
        data_docs=data_docs_site(settings, level) is not None)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return as_utc(moment).astimezone(zone)


def _change(c: m.FigureChange, sub: m.Submission, registry: Registry, zone: ZoneInfo,
            ) -> Change:
    unit = registry.get(c.unit_code)
    return Change(c.unit_code, unit.name if unit else "", c.indicator,
                  INDICATOR_LABELS.get(c.indicator, ""),
                  POPULATION_LABELS.get(c.population, c.population),
                  BREAKDOWN_LABELS.get(c.breakdown, c.breakdown), c.old_value, c.new_value,
                  sub.filename, sub.version, _local(c.changed_at, zone))


def _state(states: list[PeriodState], period: str, zone: ZoneInfo) -> MonthState:
    """Approved (by whom, when) or open; a month with no submission yet is open."""
    found = next((s for s in states if s.period == period and s.status == "approved"), None)
    if found is None:
        return MonthState(False, None, None)
    return MonthState(True, found.approved_by,
                      _local(found.approved_at, zone) if found.approved_at else None)


def _versions(builds: list[m.ReportBuild], changes: list[Change], zone: ZoneInfo,
              ) -> tuple[list[Version], list[Change]]:
    """The builds grouped by the moment they were written together (one build of the
    month writes the workbook and the data files at once, and only those that changed),
    each with the changes made since the version before it; newest first. The changes
    after the last version wait for the next build."""
    versions: list[Version] = []
    for build in builds:  # oldest first (by id)
        moment = _local(build.built_at, zone)
        if not versions or versions[-1].built_at != moment:
            versions.append(Version(len(versions) + 1, moment))
        versions[-1].files.append(BuildFile(build.id, build.kind, build.file_name))
    left = sorted(changes, key=lambda c: c.changed_at)
    for version in versions:
        version.files.sort(key=lambda f: KINDS.index(f.kind) if f.kind in KINDS else 99)
        version.changes = [c for c in left if c.changed_at <= version.built_at]
        left = [c for c in left if c.changed_at > version.built_at]
    return versions[::-1], left


def _without_names(builds: list[m.ReportBuild]) -> list[m.ReportBuild]:
    """The builds of the district's month whose files name nobody (``WITH_NAMES``)."""
    return [b for b in builds if b.kind not in WITH_NAMES]


def current_files(settings: Settings, level: str, builds: list[m.ReportBuild], zone: ZoneInfo,
                  *, names: bool = True) -> list[ReportFile]:
    """The month's current files that its builds name (the latest of each kind), and the
    PDFs printed from its workbook, as they are in the month's folder; without the files
    that name people unless ``names``."""
    found = [f for f in _current_files(settings, level, builds, zone)
             if names or f.kind not in WITH_NAMES]
    return found


def _current_files(settings: Settings, level: str, builds: list[m.ReportBuild],
                   zone: ZoneInfo) -> list[ReportFile]:
    latest = {b.kind: b for b in builds}  # builds are oldest first: the last one stays
    found: list[ReportFile] = []
    workbook_at: float | None = None
    for kind in KINDS:
        build = latest.get(kind)
        path = _in_month(settings, level, build.period, build.file_name) if build else None
        if path is None:
            continue
        stat = path.stat()
        found.append(ReportFile(kind, path.name, stat.st_size,
                                datetime.fromtimestamp(stat.st_mtime, zone)))
        if kind == "workbook":
            workbook_at = stat.st_mtime
            for position, (kind, pdf) in enumerate(_printed(path), start=1):
                pdf_stat = pdf.stat()
                found.insert(position, ReportFile(
                    kind, pdf.name, pdf_stat.st_size,
                    datetime.fromtimestamp(pdf_stat.st_mtime, zone),
                    stale=pdf_stat.st_mtime < workbook_at))
    return found


def _printed(workbook: Path) -> list[tuple[str, Path]]:
    """The PDFs printed from the workbook that are there: for sending, the internal list."""
    return [(kind, pdf) for kind, pdf in (("pdf", workbook.with_suffix(PDF)),
                                           ("internal_pdf", reporting.internal_pdf_path(workbook)))
            if pdf.is_file()]


def _in_month(settings: Settings, level: str, period: str, name: str) -> Path | None:
    """``name`` in the month's folder, if it is a file there (and nowhere else)."""
    folder = (reports_root(settings, level) / period).resolve()
    path = (folder / name).resolve()
    return path if path.parent == folder and path.is_file() else None


# ---- downloads


def report_file(settings: Settings, unit_code: str, level: str, period: str,
                name: str, *, names: bool = True) -> Path | None:
    """A current file of the month by its name: one the month's builds name (or a PDF
    printed from its workbook), present in the month's folder; else None. Without
    ``names``, none of the files that name people."""
    builds = Warehouse.of(settings).month_history(unit_code, period).builds
    known = {b.file_name for b in (builds if names else _without_names(builds))}
    known |= {Path(b.file_name).with_suffix(PDF).name for b in builds if b.kind == "workbook"}
    if names:
        known |= {reporting.internal_pdf_path(Path(b.file_name)).name
                  for b in builds if b.kind == "workbook"}
    return _in_month(settings, level, period, name) if name in known else None


def earlier_version(settings: Settings, unit_code: str, level: str, period: str,
                    build_id: int, *, names: bool = True) -> tuple[Path, str] | None:
    """The stored copy of one version of the month's reports and the name to download it
    as (``BaoCaoTongHop_BL_2024-03_ban13.xlsx``); None for a build of another unit or
    month, or a copy no longer there."""
    builds = Warehouse.of(settings).month_history(unit_code, period).builds
    build = next((b for b in (builds if names else _without_names(builds))
                  if b.id == build_id), None)
    if build is None or not build.copy_path:
        return None
    root = reports_root(settings, level).resolve()
    path = (root / build.copy_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    name = Path(build.file_name)
    return path, f"{name.stem}_ban{build.id}{name.suffix}"


# ---- approval: the CLI's lock


def approve(settings: Settings, unit_code: str, period: str, actor: str) -> None:
    """Approve and lock the month (AlreadyApproved when it is): later files for it wait as
    pending corrections until it is reopened."""
    Warehouse.of(settings).approve(unit_code, period, actor)


def reopen(settings: Settings, registry: Registry, unit_code: str, level: str,
           period: str, actor: str) -> int:
    """Reopen the approved month (NotApproved when it is not), apply its pending
    corrections, and rebuild the level's reports as ``cellreports reopen`` does for the
    district (a new version when anything changed). How many corrections were applied."""
    applied = Warehouse.of(settings).reopen(unit_code, period, actor)
    if level == PROVINCE:
        reporting.write_province_outputs(settings, registry, unit_code, period)
    else:
        reporting.write_district_outputs(settings, registry, period)
    return len(applied)


# ---- the PDF for sending


def has_libreoffice() -> bool:
    return reporting.soffice() is not None


def build_pdf(settings: Settings, unit_code: str, level: str, period: str) -> Path | None:
    """The PDF of the month's current workbook, made beside it by LibreOffice (None: the
    month has no workbook yet). NoLibreOffice when it is not installed, PdfFailed when it
    failed or took too long."""
    builds = [b for b in Warehouse.of(settings).month_history(unit_code, period).builds
              if b.kind == "workbook"]
    workbook = _in_month(settings, level, period, builds[-1].file_name) if builds else None
    if workbook is None:
        return None
    if not has_libreoffice():
        raise NoLibreOffice("soffice is not on the PATH")
    try:
        made = reporting.to_pdf(workbook)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise PdfFailed(str(exc)) from exc
    if made is None:
        raise PdfFailed(f"LibreOffice made no PDF of {workbook.name}")
    return made


# ---- the Data Docs site of the level


def data_docs_site(settings: Settings, level: str) -> Path | None:
    """The level's Data Docs folder, when a run has built the site in it."""
    site = settings.paths(level).data_docs.resolve()
    return site if (site / "index.html").is_file() else None


def data_docs_file(settings: Settings, level: str, path: str) -> Path | None:
    """A file of the level's Data Docs site (its index for an empty path); None for
    anything outside the site, however the path is written."""
    site = data_docs_site(settings, level)
    if site is None:
        return None
    found = (site / (path or "index.html")).resolve()
    if found.is_dir():
        found = found / "index.html"
    return found if found.is_relative_to(site) and found.is_file() else None
