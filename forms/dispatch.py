"""Reading any received file: a cell report, the course register, or a named error."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ReadError
from core.export_format import ExportFile
from core.form import CellReport
from core.kinds import CELL_REPORT, COURSE_REGISTER, DISTRICT_DATA, UNKNOWN
from core.limits import DEFAULT_LIMITS, Limits
from core.register import CourseRegister
from forms.errors import NotACellReport
from forms.export_reader import read_export
from forms.reader import read_cell_report
from forms.register_reader import read_course_register


@dataclass
class ReadOutcome:
    kind: str
    report: CellReport | None = None
    register: CourseRegister | None = None
    error: ReadError | None = None
    export: ExportFile | None = None  # a district's upward data file (the province's level)


def read_any(content: bytes, limits: Limits = DEFAULT_LIMITS) -> ReadOutcome:
    """Never raises for a bad file: the error comes back named, with its rule."""
    try:
        return ReadOutcome(CELL_REPORT, report=read_cell_report(content, limits))
    except NotACellReport:
        pass
    except ReadError as error:
        return ReadOutcome(UNKNOWN, error=error)
    try:
        return ReadOutcome(COURSE_REGISTER, register=read_course_register(content, limits))
    except ReadError as error:
        return ReadOutcome(UNKNOWN, error=error)


def read_data_file(content: bytes) -> ReadOutcome:
    """A district's upward data file (CSV or its JSON twin), or its named error."""
    try:
        return ReadOutcome(DISTRICT_DATA, export=read_export(content))
    except ReadError as error:
        return ReadOutcome(UNKNOWN, error=error)
