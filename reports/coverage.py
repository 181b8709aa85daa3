"""How much of a total stands on real data: the words every report uses for it.

A total over the units that sent valid data is not the unit's total when some did not:
the label says so beside the figure ("(3/4 đơn vị có số liệu)"), and a unit or a total
with no valid data at all shows NO_DATA, never a zero that reads like a real count.
Targets are another matter: they come from the registry for every expected unit,
whatever its report did this month, so a rejected report never shrinks a denominator.
"""

from __future__ import annotations

NO_DATA = "Không có số liệu hợp lệ"


def coverage_note(with_data: int, expected: int) -> str:
    """``(N/M đơn vị có số liệu)`` when some expected units have no valid data, else ""."""
    if with_data >= expected:
        return ""
    return f"({with_data}/{expected} đơn vị có số liệu)"


def total_label(label: str, with_data: int, expected: int) -> str:
    """A total's label with its coverage beside it."""
    note = coverage_note(with_data, expected)
    return f"{label} {note}" if note else label


def no_data_text(reason: str | None = None) -> str:
    """What a unit or total without valid data shows in place of its figures."""
    return f"{NO_DATA} ({reason})" if reason else NO_DATA
