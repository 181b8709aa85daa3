"""What the district officer's pages of one unit show: a cell's page (its submissions and
their findings, its figures against last month and the same month last year, its
candidates by stage and the stalls), the month's findings by rule, and where a figure
comes from.

No figure is computed here: the values are those of ``warehouse.queries.month_data`` read
through ``reports.export.unit_value`` (what the upward data file writes), and an explained
figure is ``Warehouse.explain`` (what ``cellreports explain`` prints). Names, dates of
birth and the messages that may carry them leave this module only when the caller says
the officer may see them (``names``: the district's own officer, never the province's).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.errors import CellreportsError
from core.export_format import TOTAL, value_keys
from core.findings import RULE_TITLES, Finding
from core.layout import INDICATOR_LABELS, INDICATORS, POPULATION_LABELS, POPULATIONS, STAGES
from core.month import AttentionItem, MonthData, UnitStatus
from core.periods import previous_period
from core.registry import REPORTING_LEVEL, Registry, Unit
from core.settings import Settings
from reports.export import unit_value
from reports.province_sheets import BREAKDOWN_LABELS
from services import cell_desk
from services.reporting import deadline_day
from warehouse import unit_queries
from warehouse.desk import SubmissionView
from warehouse.lineage import Explanation, UnknownFigure
from warehouse.queries import as_utc, month_data
from warehouse.unit_of_work import Warehouse

__all__ = ["CHANNEL_LABELS", "STATUS_LABELS", "CellPage", "Choices", "Explained",
           "FindingLine", "NoSuchFigure", "NotInDistrict", "RulesPage", "cell_of", "cell_page",
           "explain_figure", "feedback_workbook", "figure_choices", "figure_unit",
           "rules_of_month"]

# Rules whose messages never name a person nor give a date of birth: the form, the summary
# sheet's arithmetic and the file's own checks. Any other rule's message (the roster's)
# may, and is withheld from the province's officer — an allow-list, so a new rule is
# withheld until it is known to be safe.
NO_PERSON_RULES = ("F", "X", "P", "H02", "H08")
# the roster's stages as the form lists them: the pipeline first, then those who left it
STAGE_ORDER = (1, 2, 3, 4, 5, 6, 7, 8, 0)
# the consolidating unit's counts of reports (the data file's REPORTS_* rows) that
# ``explain`` answers from the registry and the accepted submissions
COUNT_LABELS = {"REPORTS_EXPECTED": "Số báo cáo phải nộp",
                "REPORTS_ACCEPTED": "Số báo cáo hợp lệ đã nhận"}
POPULATION_CHOICES = {**POPULATION_LABELS, TOTAL: "Chung (học sinh và viên chức)"}
CHANNEL_LABELS = {"folder": "Thư mục nhận tệp", "imap": "Thư điện tử", "web": "Trang web"}
STATUS_LABELS = {"accepted": "Nhận", "rejected": "Trả lại",
                 "superseded": "Đã thay bằng lần gửi sau", "pending": "Chờ mở lại kỳ"}
FIGURE_KEYS = frozenset(value_keys()) | {(TOTAL, code, TOTAL) for code in COUNT_LABELS}


class NotInDistrict(CellreportsError):
    """The unit asked about is neither the district nor one of its reporting cells."""

    heading = "Unknown unit"
    exit_code = 2


class NoSuchFigure(CellreportsError):
    """The indicator, population or breakdown asked about is no figure of the reports."""

    heading = "Unknown figure"
    exit_code = 2


# ---- the units of the district


def cell_of(registry: Registry, district: Unit, code: str) -> Unit:
    """A reporting cell under ``district`` in the registry (at any time of its life: a cell
    merged away keeps its history), else NotInDistrict."""
    unit = registry.get(code)
    if unit is None or unit.level != REPORTING_LEVEL \
            or district.code not in registry.above(unit.code):
        raise NotInDistrict(code)
    return unit


def figure_unit(registry: Registry, district: Unit, code: str) -> Unit:
    """A unit whose figures the district's pages explain: the district itself or one of
    its reporting cells, else NotInDistrict."""
    return district if code == district.code else cell_of(registry, district, code)


def _month(session: Session, settings: Settings, registry: Registry,
           district: Unit, period: str) -> MonthData:
    """The district's month exactly as the reports and the data file read it."""
    return month_data(session, registry, district.code, period,
                      deadline_day=deadline_day(settings, period), timezone=settings.timezone)


# ---- findings as an officer sees them


@dataclass(frozen=True)
class FindingLine:
    rule_id: str
    title: str
    is_error: bool
    sheet: str | None
    row: int | None
    column: str | None
    message: str | None  # None: withheld (it may name a person), shown to the district only


def may_name_a_person(rule_id: str) -> bool:
    return not rule_id.startswith(NO_PERSON_RULES)


def _line(finding: Finding, names: bool) -> FindingLine:
    shown = names or not may_name_a_person(finding.rule_id)
    return FindingLine(finding.rule_id, RULE_TITLES.get(finding.rule_id, ""),
                       finding.is_error, finding.sheet, finding.row, finding.column,
                       finding.message if shown else None)


# ---- a cell's page


@dataclass(frozen=True)
class Submitted:
    """One of the cell's files with its findings, as the officer's page lists it."""

    view: SubmissionView
    findings: tuple[FindingLine, ...]
    feedback: bool  # its annotated workbook can be downloaded


@dataclass(frozen=True)
class MonthColumn:
    period: str
    version: int | None  # of the accepted workbook; None: no accepted report ("—")
    state: str  # accepted | rejected | missing | inactive (the cell did not exist then)


@dataclass(frozen=True)
class FigureRow:
    code: str
    label: str
    from_roster: bool
    # per column of ``CellPage.columns``: (học sinh, viên chức), None where not accepted
    values: tuple[tuple[int | None, int | None], ...]


@dataclass(frozen=True)
class StageCount:
    stage: int
    label: str
    hoc_sinh: int
    vien_chuc: int

    @property
    def total(self) -> int:
        return self.hoc_sinh + self.vien_chuc


@dataclass(frozen=True)
class Stall:
    """A candidate the officer should look at (MonthData.attention), names included."""

    rule_id: str
    title: str
    full_name: str
    birth_date: date | None
    population: str | None
    stage: int | None
    since: date | None
    message: str


@dataclass
class CellPage:
    unit: Unit
    period: str
    this_month: list[Submitted]
    earlier: list[Submitted]
    columns: list[MonthColumn]
    figures: list[FigureRow]
    stages: list[StageCount]
    stalls: list[Stall]  # empty unless names may be shown
    stall_counts: list[tuple[str, str, int]] = field(default_factory=list)  # rule, title, n

    @property
    def roster_total(self) -> int:
        return sum(s.total for s in self.stages)


def cell_page(settings: Settings, registry: Registry, district: Unit, code: str, period: str,
              *, names: bool) -> CellPage:
    """Everything the cell's page shows for ``period``; NotInDistrict for a unit that is
    not a reporting cell of ``district``."""
    unit = cell_of(registry, district, code)
    this_month, earlier = _submitted(settings, unit.code, period, names)
    periods = [period, previous_period(period), f"{int(period[:4]) - 1:04d}{period[4:]}"]
    with Warehouse.of(settings).session() as session:
        months = [_month(session, settings, registry, district, p) for p in periods]
        counts = unit_queries.stage_counts(session, unit.code, period)
    columns = [_column(m, unit.code) for m in months]
    stalls = [_stall(a) for a in months[0].attention if a.unit_code == unit.code]
    tally = Counter(s.rule_id for s in stalls)
    return CellPage(unit, period, this_month, earlier, columns,
                    _figures(months, columns, unit.code), _stages(counts),
                    stalls if names else [],
                    [(rule, RULE_TITLES.get(rule, ""), n) for rule, n in sorted(tally.items())])


def _submitted(settings: Settings, code: str, period: str, names: bool,
               ) -> tuple[list[Submitted], list[Submitted]]:
    """The cell's files of the month, and those of earlier months (or of no month that
    could be read), newest first, each with its findings."""
    views = [v for v in cell_desk.submissions(settings, code)
             if v.period is None or v.period <= period]
    with Warehouse.of(settings).session() as session:
        findings = unit_queries.findings_of(session, [v.submission_id for v in views])
    shown = [Submitted(v, tuple(_line(f, names) for f in findings[v.submission_id]),
                       names and _in_outbox(settings, v)) for v in views]
    return ([s for s in shown if s.view.period == period],
            [s for s in shown if s.view.period != period])


def _in_outbox(settings: Settings, view: SubmissionView) -> bool:
    """Whether the download link is worth showing; the download itself goes through
    ``cell_desk.feedback_file``, whose rule this is (a file inside the outbox only)."""
    if not view.feedback_path:
        return False
    path = Path(view.feedback_path).resolve()
    return path.is_relative_to(settings.outbox.resolve()) and path.is_file()


def _status_of(month: MonthData, code: str) -> UnitStatus | None:
    return next((c for c in month.cells if c.unit.code == code), None)


def _column(month: MonthData, code: str) -> MonthColumn:
    status = _status_of(month, code)
    if status is None:
        return MonthColumn(month.period, None, "inactive")
    if status.accepted:
        return MonthColumn(month.period, status.version, "accepted")
    return MonthColumn(month.period, None, "rejected" if status.received else "missing")


def _figures(months: list[MonthData], columns: list[MonthColumn], code: str,
             ) -> list[FigureRow]:
    """TH01–TH15 of the cell in each month: the data file's values of an accepted cell."""
    def values(month: MonthData, column: MonthColumn, indicator: str,
               ) -> tuple[int | None, int | None]:
        if column.state != "accepted":
            return None, None
        hs, vc = (unit_value(month, [code], p, indicator, TOTAL) for p in POPULATIONS)
        return hs, vc

    return [FigureRow(i.code, i.label, i.from_roster,
                      tuple(values(m, c, i.code) for m, c in zip(months, columns, strict=True)))
            for i in INDICATORS]


def _stages(counts: dict[tuple[int | None, str | None], int]) -> list[StageCount]:
    return [StageCount(stage, STAGES[stage], counts.get((stage, "hoc_sinh"), 0),
                       counts.get((stage, "vien_chuc"), 0)) for stage in STAGE_ORDER]


def _stall(item: AttentionItem) -> Stall:
    return Stall(item.rule_id, RULE_TITLES.get(item.rule_id, ""), item.full_name,
                 item.birth_date, item.population, item.stage, item.since, item.message)


def feedback_workbook(settings: Settings, registry: Registry, district: Unit, code: str,
                      submission_id: int) -> Path | None:
    """The annotated workbook of one of the cell's submissions, by the cells' own rule
    (``cell_desk.feedback_file``: the cell's, and inside the outbox); NotInDistrict for a
    unit that is not a reporting cell of ``district``."""
    unit = cell_of(registry, district, code)
    return cell_desk.feedback_file(settings, unit.code, submission_id)


# ---- findings by rule


@dataclass(frozen=True)
class RuleUnit:
    code: str
    name: str
    status: str  # accepted (in force) | rejected
    version: int | None
    findings: int


@dataclass
class RuleSummary:
    rule_id: str
    title: str
    errors: int = 0
    warnings: int = 0
    rows: int = 0  # distinct rows of the workbooks (a finding on the file as a whole: none)
    units: list[RuleUnit] = field(default_factory=list)
    # (message or None when withheld, how many findings say it), most frequent first
    messages: list[tuple[str | None, int]] = field(default_factory=list)


@dataclass(frozen=True)
class RulesPage:
    rules: list[RuleSummary]
    expected: int  # the district's reporting cells this month
    in_force: int  # cells judged by their accepted workbook
    rejected: int  # cells judged by their latest, rejected, workbook


def rules_of_month(settings: Settings, registry: Registry, district: Unit, period: str, *,
                   names: bool) -> RulesPage:
    """The month's findings by rule, over each cell's workbook the board judges it by: the
    one in force, else its latest rejected one (none for a cell that sent nothing)."""
    cells = {c.code: c for c in registry.reporting_cells(district.code, period)}
    with Warehouse.of(settings).session() as session:
        judged = unit_queries.judged_submissions(session, list(cells), period)
    found: dict[str, RuleSummary] = {}
    messages: dict[str, Counter[str | None]] = {}
    for sub in judged:
        by_rule: dict[str, list[Finding]] = {}
        for f in sub.findings:
            by_rule.setdefault(f.rule_id, []).append(f)
        for rule_id, hits in by_rule.items():
            summary = found.setdefault(rule_id, RuleSummary(rule_id,
                                                            RULE_TITLES.get(rule_id, "")))
            _count(summary, messages.setdefault(rule_id, Counter()), hits, names)
            summary.units.append(RuleUnit(sub.unit_code, cells[sub.unit_code].name,
                                          sub.status, sub.version, len(hits)))
    for rule_id, summary in found.items():
        summary.messages = sorted(messages[rule_id].items(),
                                  key=lambda item: (-item[1], item[0] or ""))
    order = {rule: i for i, rule in enumerate(RULE_TITLES)}
    accepted = sum(1 for s in judged if s.status == "accepted")
    return RulesPage(sorted(found.values(), key=lambda r: order.get(r.rule_id, len(order))),
                     len(cells), accepted, len(judged) - accepted)


def _count(summary: RuleSummary, messages: Counter[str | None], hits: list[Finding],
           names: bool) -> None:
    errors = sum(1 for f in hits if f.is_error)
    summary.errors += errors
    summary.warnings += len(hits) - errors
    summary.rows += len({(f.sheet, f.row) for f in hits if f.row is not None})
    messages.update(_line(f, names).message for f in hits)


# ---- explain a figure


@dataclass(frozen=True)
class SourceRow:
    excel_row: int
    stt: int | None
    full_name: str | None  # None: withheld
    stage: int | None
    stage_label: str


@dataclass(frozen=True)
class Source:
    unit_code: str
    unit_name: str
    submission_id: int
    version: int | None
    filename: str
    sha256: str
    received_at: datetime  # UTC
    where: str  # the sheet the value was taken from
    value: int
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True)
class Explained:
    unit: Unit
    period: str
    population: str
    indicator: str
    breakdown: str
    value: int
    sources: list[Source]
    from_registry: bool  # REPORTS_EXPECTED: counted in the unit registry

    @property
    def label(self) -> str:
        return INDICATOR_LABELS.get(self.indicator) or COUNT_LABELS[self.indicator]

    @property
    def population_label(self) -> str:
        return POPULATION_CHOICES[self.population]

    @property
    def breakdown_label(self) -> str:
        return BREAKDOWN_LABELS[self.breakdown]


@dataclass(frozen=True)
class Choices:
    """What the figure picker offers: (code, label) of each."""

    units: list[tuple[str, str]]
    indicators: list[tuple[str, str]]
    populations: list[tuple[str, str]]
    breakdowns: list[tuple[str, str]]


def figure_choices(registry: Registry, district: Unit, period: str) -> Choices:
    units = [(district.code, f"{district.name} (toàn đơn vị)")] + [
        (c.code, f"{c.name} ({c.code})") for c in registry.reporting_cells(district.code,
                                                                             period)]
    indicators = [(i.code, f"{i.code} — {i.label}") for i in INDICATORS] + \
        [(code, label) for code, label in COUNT_LABELS.items()]
    return Choices(units, indicators, list(POPULATION_CHOICES.items()),
                   list(BREAKDOWN_LABELS.items()))


def explain_figure(settings: Settings, registry: Registry, district: Unit, unit_code: str,
                   period: str, population: str, indicator: str, breakdown: str, *,
                   names: bool) -> Explained:
    """``Warehouse.explain`` of one figure of the district or one of its cells.

    NotInDistrict for another unit; NoSuchFigure, with a Vietnamese message, for a
    population, indicator or breakdown the reports do not hold."""
    unit = figure_unit(registry, district, unit_code)
    key = (population, indicator, breakdown)
    if key not in FIGURE_KEYS:
        raise NoSuchFigure(_unknown(population, indicator, breakdown))
    if indicator in COUNT_LABELS and unit.code != district.code:
        raise NoSuchFigure(f"«{COUNT_LABELS[indicator]}» là số liệu của toàn đơn vị, "
                           "không có ở từng chi bộ. Đồng chí chọn đơn vị là "
                           f"{district.name}.")
    try:
        found = Warehouse.of(settings).explain(registry, unit.code, period, population,
                                               indicator, breakdown)
    except UnknownFigure:
        raise NoSuchFigure(_unknown(population, indicator, breakdown)) from None
    return _explained(found, registry, unit, names)


def _unknown(population: str, indicator: str, breakdown: str) -> str:
    """Why (population, indicator, breakdown) is no figure, in the officer's words."""
    if indicator == "REPORTS_ON_TIME":
        return ("Số báo cáo đúng hạn được tính từ thời điểm nhận so với hạn nộp, không từ một "
                "tệp nào: đồng chí xem trang tính tình trạng nộp trong báo cáo của đơn vị.")
    if indicator not in INDICATOR_LABELS and indicator not in COUNT_LABELS:
        return (f"Không có chỉ tiêu «{indicator[:40]}» trong báo cáo. Đồng chí chọn một chỉ "
                "tiêu trong danh sách (TH01–TH15).")
    if population not in POPULATION_CHOICES:
        return (f"Không có đối tượng «{population[:40]}». Đồng chí chọn học sinh, viên chức "
                "hoặc chung.")
    if breakdown not in BREAKDOWN_LABELS:
        return f"Không có cách phân loại «{breakdown[:40]}» trong báo cáo."
    if indicator in COUNT_LABELS:
        return (f"«{COUNT_LABELS[indicator]}» chỉ có số chung: đối tượng «chung», phân loại "
                "«tổng số».")
    return (f"Chỉ tiêu {indicator} không được báo cáo theo «{BREAKDOWN_LABELS[breakdown]}»: "
            "chỉ các chỉ tiêu tính từ danh sách (TH05–TH12, TH14, TH15) có phân loại.")


def _explained(found: Explanation, registry: Registry, unit: Unit,
               names: bool) -> Explained:
    sources = [Source(s.unit_code, _name(registry, s.unit_code), s.submission_id, s.version,
                      s.filename, s.sha256, as_utc(s.received_at), s.where, s.value,
                      tuple(SourceRow(r.excel_row, r.stt, r.full_name if names else None,
                                      r.stage, STAGES.get(r.stage, "") if r.stage is not None
                                      else "") for r in s.rows))
               for s in found.sources]
    return Explained(unit, found.period, found.population, found.indicator, found.breakdown,
                     found.value, sources, found.registry_count is not None)


def _name(registry: Registry, code: str) -> str:
    unit = registry.get(code)
    return unit.name if unit else code
