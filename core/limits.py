"""How much a received file may be and hold before it is refused, unread (rules F01, F11)."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits of a received file (rule F01)."""

    max_file_bytes: int = 20 * MB
    max_unpacked_bytes: int = 200 * MB
    max_ratio: float = 200.0
    max_members: int = 2_000
    # a sheet's extent counted from its filled cells: a reader allocates rows × columns,
    # so one stray value at XFD20000 in a 13 KB file would take gigabytes
    max_rows: int = 100_000
    max_columns: int = 1_000
    # and the rectangle they span: two far corners (A99000 and ALL1) are each within the
    # limits above, yet a reader would allocate 99 million cells for them
    max_cells: int = 2_000_000
    # people on one roster (rule F11, config/rules: max_roster_rows): a file far above any
    # school's size is refused while it is read, before it costs validation and loading
    max_roster_rows: int = 500


DEFAULT_LIMITS = Limits()
