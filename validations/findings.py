"""A finding: one rule broken at one place, with a message for the cell in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "ERROR"
WARNING = "WARNING"

# Severity of each rule (shared/spec/RULES.md). A rule not listed here is a programming error.
SEVERITY: dict[str, str] = {
    **{r: ERROR for r in ("F01", "F02", "F03", "F04", "F05", "F07")},
    **{r: WARNING for r in ("F06", "F08", "F09")},
    **{r: ERROR for r in ("R01", "R02", "R03", "R04", "R05", "R06", "R08", "R09")},
    **{r: WARNING for r in ("R07", "R10", "R11")},
    "X01": ERROR, "X02": ERROR, "X03": WARNING,
    "H02": ERROR,
    **{r: WARNING for r in ("H01", "H03", "H04", "H05", "H06", "H07", "H08")},
    "C01": WARNING,
}


@dataclass(frozen=True, order=True)
class Finding:
    rule_id: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    @property
    def severity(self) -> str:
        return SEVERITY[self.rule_id]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors
