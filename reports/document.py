"""The wordings of a Party document's header and signature block (Guide 36-HD/VPTW).

Defaults are those of the Bảo Lâm district Organization Board; an installation's own
wording is ``document.toml`` beside its unit registry (``load_document``), checked against
the Guide's rule of who signs how (``signature_problem``) when it is read.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

from core.errors import CellreportsError

PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"

# What an empty number or signer's name prints as. A document is numbered by the clerk
# when it is registered, after it is signed, so a draft leaves visible room for the number;
# a missing name must show as missing, not as a blank the signer may not notice.
NUMBER_PLACEHOLDER = "……"
NAME_PLACEHOLDER = "(Họ và tên)"

# Guide 36-HD/VPTW, the signer's authority, as data (tests/unit/test_document.py):
# - a Ban of a Party committee (an advisory board, run by its head) is signed by its head
#   in his own title, or by a deputy signing for him (K/T, "ký thay");
# - "T/M" ("thay mặt", on behalf of) belongs to a collective body only — the committee's
#   standing board, a Party committee, a cell — and is signed by its secretary or a deputy.
BAN_SIGNERS: dict[str, tuple[str, ...]] = {
    "head": ("TRƯỞNG BAN",),
    "deputy": ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
}
COLLECTIVE_SIGNERS: dict[str, str] = {"head": "BÍ THƯ", "deputy": "PHÓ BÍ THƯ"}
ON_BEHALF = "T/M "
# Issuing bodies named "BAN …" that are collective (they sign T/M), not advisory boards.
COLLECTIVE_BANS = ("BAN THƯỜNG VỤ", "BAN CHẤP HÀNH")
# Issuing bodies that are collective by their name's first words; an empty issuing body is
# a document of the committee named as the superior body itself.
COLLECTIVE_PREFIXES = ("CHI BỘ", "ĐẢNG ỦY", "ĐẢNG BỘ", "HUYỆN ỦY", "TỈNH ỦY", "THÀNH ỦY",
                       "QUẬN ỦY", "THỊ ỦY")
BAN, COLLECTIVE = "ban", "collective"


@dataclass(frozen=True)
class DocumentHeader:
    """Who issues the report, under which number, who signs it and who receives it."""

    superior_body: str = "HUYỆN ỦY BẢO LÂM"
    issuing_body: str = "BAN TỔ CHỨC"
    # The number is written in by the clerk when the document is registered: blank by default.
    number: str = ""
    number_symbol: str = "BC/BTCHU"
    place: str = "Bảo Lâm"
    signer_title: tuple[str, ...] = BAN_SIGNERS["deputy"]
    signer_name: str = ""
    recipients: tuple[str, ...] = (
        "- Ban Tổ chức Tỉnh ủy (báo cáo),",
        "- Thường trực Huyện ủy (báo cáo),",
        "- Các chi bộ trường học,",
        "- Lưu BTCHU.",
    )
    # The word before the number of a table annexed to the report ("Biểu số 01"): the Word
    # report's appended table and the workbook's summary sheet, which is the same table.
    table_label: str = "Biểu số"

    def number_text(self) -> str:
        """``12-BC/BTCHU``, or ``……-BC/BTCHU`` while the document has no number."""
        return f"{self.number or NUMBER_PLACEHOLDER}-{self.number_symbol}"

    def number_line(self) -> str:
        """``Số 12-BC/BTCHU``: Party documents write no colon after "Số" (Guide 36-HD/VPTW;
        the colon is the State's form)."""
        return f"Số {self.number_text()}"

    def signer_name_line(self) -> str:
        """The signer's name, or ``(Họ và tên)`` to be typed in before signing."""
        return self.signer_name.strip() or NAME_PLACEHOLDER

    def place_date_line(self, day: date) -> str:
        """``Bảo Lâm, ngày 05 tháng 4 năm 2024``.

        Guide 36-HD/VPTW: a day below 10 and a month below 3 are written with a leading 0.
        """
        return f"{self.place}, ngày {day.day:02d} tháng {_month(day)} năm {day.year}"

    def table_caption(self, number: int = 1) -> str:
        """``Biểu số 01``: the label above an annexed table, top right."""
        return f"{self.table_label} {number:02d}"

    def attachment_line(self, day: date) -> str:
        """``(Kèm theo Báo cáo số 12-BC/BTCHU, ngày 05-4-2024)`` under an annexed table's
        title: a date inside a Party document's text is written day-month-year."""
        return (f"(Kèm theo Báo cáo số {self.number_text()}, "
                f"ngày {day.day:02d}-{_month(day)}-{day.year})")


def _month(day: date) -> str:
    return f"{day.month:02d}" if day.month < 3 else str(day.month)


class DocumentConfigError(CellreportsError, ValueError):
    """document.toml has an unknown key, a value of the wrong kind or a wrong signature."""

    heading = "document.toml is not valid"
    exit_code = 2


def canonical(text: str) -> str:
    """Upper case, single spaces, composed accents, "ỦY" for the old spelling "UỶ"."""
    return unicodedata.normalize("NFC", " ".join(text.split()).upper()).replace("UỶ", "ỦY")


def body_kind(issuing_body: str) -> str | None:
    """``ban`` for an advisory board, ``collective`` for a committee or cell, None for
    another body (an office, an inspection committee) whose wording is not checked here."""
    body = canonical(issuing_body)
    if not body or body.startswith(COLLECTIVE_BANS) or body.startswith(COLLECTIVE_PREFIXES):
        return COLLECTIVE
    return BAN if body.startswith("BAN ") else None


def signature_problem(document: DocumentHeader) -> str | None:
    """What is wrong with the signature block's title under Guide 36-HD/VPTW, or None."""
    lines = tuple(canonical(line) for line in document.signer_title)
    kind = body_kind(document.issuing_body)
    if kind == BAN and lines not in BAN_SIGNERS.values():
        body = document.issuing_body.strip()
        return (f"signer_title {list(document.signer_title)} does not fit {body!r}: a Ban's "
                f"head signs {list(BAN_SIGNERS['head'])} without T/M, a deputy "
                f"{list(BAN_SIGNERS['deputy'])} (Guide 36-HD/VPTW)")
    if kind == COLLECTIVE and not (
            len(lines) == 2 and lines[0].startswith(ON_BEHALF)
            and lines[1] in COLLECTIVE_SIGNERS.values()):
        body = document.issuing_body.strip() or document.superior_body.strip()
        return (f"signer_title {list(document.signer_title)} does not fit {body!r}: a "
                f"committee's document is signed ['T/M <the committee>', "
                f"'{COLLECTIVE_SIGNERS['head']}' or '{COLLECTIVE_SIGNERS['deputy']}'] "
                "(Guide 36-HD/VPTW)")
    return None


def load_document(path: Path, defaults: DocumentHeader | None = None) -> DocumentHeader:
    """The header and signature wording from a TOML file over ``defaults`` (the district
    Board's unless given: the province passes its own, whose recipients follow the level
    below); the defaults alone where the file is absent."""
    defaults = defaults or DocumentHeader()
    if not path.exists():
        return defaults
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DocumentConfigError(f"{path.name}: {exc}") from exc
    known = {f.name for f in fields(DocumentHeader)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DocumentConfigError(f"{path.name}: unknown keys {unknown}")
    # A number typed as a TOML integer (number = 12) is the text "12".
    if isinstance(data.get("number"), int) and not isinstance(data["number"], bool):
        data["number"] = str(data["number"])
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    if not all(isinstance(v, str) or (isinstance(v, tuple) and all(isinstance(x, str) for x in v))
               for v in values.values()):
        raise DocumentConfigError(f"{path.name}: values must be text or lists of text")
    document = replace(defaults, **values)
    problem = signature_problem(document)
    if problem:
        raise DocumentConfigError(f"{path.name}: {problem}")
    return document
