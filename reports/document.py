"""The wordings of a Party document's header and signature block (Guide 36-HD/VPTW).

Defaults are those of the Bảo Lâm district Organization Board; an installation's own
wording is ``document.toml`` beside its unit registry (``load_document``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from core.errors import CellreportsError

PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"


@dataclass(frozen=True)
class DocumentHeader:
    """Who issues the report, under which number, who signs it and who receives it."""

    superior_body: str = "HUYỆN ỦY BẢO LÂM"
    issuing_body: str = "BAN TỔ CHỨC"
    # The number is written in by the clerk when the document is registered: blank by default.
    number: str = ""
    number_symbol: str = "BC/BTCHU"
    place: str = "Bảo Lâm"
    signer_title: tuple[str, ...] = ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
    signer_name: str = ""
    recipients: tuple[str, ...] = (
        "- Ban Tổ chức Tỉnh ủy (báo cáo),",
        "- Thường trực Huyện ủy (báo cáo),",
        "- Các chi bộ trường học,",
        "- Lưu BTCHU.",
    )

    def number_line(self) -> str:
        """``Số: 12-BC/BTCHU``, or ``Số:       -BC/BTCHU`` with room for the number."""
        return f"Số: {self.number or ' ' * 6}-{self.number_symbol}"

    def place_date_line(self, day: date) -> str:
        """``Bảo Lâm, ngày 05 tháng 4 năm 2024``.

        Guide 36-HD/VPTW: a day below 10 and a month below 3 are written with a leading 0.
        """
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return f"{self.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


class DocumentConfigError(CellreportsError, ValueError):
    """document.toml has an unknown key or a value of the wrong kind."""

    heading = "document.toml is not valid"
    exit_code = 2


def load_document(path: Path) -> DocumentHeader:
    """The header and signature wording from a TOML file; the defaults where it is absent."""
    if not path.exists():
        return DocumentHeader()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DocumentConfigError(f"{path.name}: {exc}") from exc
    known = {f.name for f in fields(DocumentHeader)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DocumentConfigError(f"{path.name}: unknown keys {unknown}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    if not all(isinstance(v, str | tuple) for v in values.values()):
        raise DocumentConfigError(f"{path.name}: values must be text or lists of text")
    return DocumentHeader(**values)
