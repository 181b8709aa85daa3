"""Reading any received file: a cell report, the course register, or a named error."""

from __future__ import annotations

from dataclasses import dataclass

from forms.container import DEFAULT_LIMITS, Limits
from forms.errors import NotACellReport, ReadError
from forms.model import CellReport
from forms.reader import read_cell_report
from forms.register_reader import CourseRegister, read_course_register

CELL_REPORT, COURSE_REGISTER, UNKNOWN = "cell_report", "course_register", "unknown"


@dataclass
class ReadOutcome:
    kind: str
    report: CellReport | None = None
    register: CourseRegister | None = None
    error: ReadError | None = None


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
