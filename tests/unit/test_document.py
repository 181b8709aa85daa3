"""The Party document's wording (reports/document.py): document.toml, its placeholders and
Guide 36-HD/VPTW's rule of who signs how."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from reports.document import (
    NAME_PLACEHOLDER,
    NUMBER_PLACEHOLDER,
    DocumentConfigError,
    DocumentHeader,
    load_document,
    signature_problem,
)

REGISTRIES = PROJECT_ROOT / "config" / "registry"
SHIPPED = sorted(REGISTRIES.glob("*/document*.toml"))

# (superior body, issuing body, signer's lines, allowed by Guide 36-HD/VPTW)
SIGNATURES = [
    # a Ban (an advisory board of the committee) is run by its head: no "T/M"
    ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", ["TRƯỞNG BAN"], True),
    ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"], True),
    ("ĐẢNG ỦY XÃ BẢO LÂM 1", "BAN XÂY DỰNG ĐẢNG", ["TRƯỞNG BAN"], True),
    ("ĐẢNG ỦY XÃ BẢO LÂM 1", "BAN XÂY DỰNG ĐẢNG", ["T/M BAN XÂY DỰNG ĐẢNG", "TRƯỞNG BAN"],
     False),
    ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"], False),
    ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", ["PHÓ TRƯỞNG BAN"], False),  # a deputy signs K/T
    ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", ["K/T TRƯỞNG BAN", "TRƯỞNG BAN"], False),
    # a committee works collectively: its (deputy) secretary signs on its behalf, T/M
    ("ĐẢNG BỘ HUYỆN BẢO LÂM", "HUYỆN ỦY BẢO LÂM", ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"], True),
    ("ĐẢNG BỘ HUYỆN BẢO LÂM", "HUYỆN UỶ BẢO LÂM", ["TRƯỞNG BAN"], False),  # old spelling
    ("HUYỆN ỦY BẢO LÂM", "", ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"], True),
    ("HUYỆN ỦY BẢO LÂM", "BAN THƯỜNG VỤ", ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"], True),
    ("HUYỆN ỦY BẢO LÂM", "BAN THƯỜNG VỤ", ["TRƯỞNG BAN"], False),
    ("HUYỆN ỦY BẢO LÂM", "BAN THƯỜNG VỤ", ["K/T BÍ THƯ", "PHÓ BÍ THƯ"], False),
    ("ĐẢNG ỦY XÃ BẢO LÂM 1", "CHI BỘ TRƯỜNG THPT BẢO LÂM", ["T/M CHI BỘ", "BÍ THƯ"], True),
    ("ĐẢNG ỦY XÃ BẢO LÂM 1", "CHI BỘ TRƯỜNG THPT BẢO LÂM", ["BÍ THƯ"], False),
    # another kind of body (an office): its wording is not this rule's
    ("HUYỆN ỦY BẢO LÂM", "VĂN PHÒNG", ["CHÁNH VĂN PHÒNG"], True),
]


@pytest.mark.parametrize(("superior", "issuing", "lines", "allowed"), SIGNATURES)
def test_who_signs_how_follows_guide_36(superior, issuing, lines, allowed):
    document = DocumentHeader(superior_body=superior, issuing_body=issuing,
                              signer_title=tuple(lines))
    assert (signature_problem(document) is None) is allowed


def test_the_guides_rule_is_checked_when_document_toml_is_read(tmp_path: Path):
    path = tmp_path / "document.toml"
    path.write_text('issuing_body = "BAN XÂY DỰNG ĐẢNG"\n'
                    'signer_title = ["T/M BAN XÂY DỰNG ĐẢNG", "TRƯỞNG BAN"]\n',
                    encoding="utf-8")
    with pytest.raises(DocumentConfigError, match="without T/M"):
        load_document(path)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_wording_loads_and_signs_as_the_guide_says(path: Path):
    document = load_document(path)
    assert signature_problem(document) is None
    assert document.number == "" and document.signer_name == ""
    assert document.table_label == "Biểu số"


def test_a_commune_boards_head_signs_truong_ban_without_t_m():
    communes = [p for p in SHIPPED if p.name.startswith("document-BLM")]
    assert len(communes) == 5
    for path in communes:
        document = load_document(path)
        assert document.issuing_body == "BAN XÂY DỰNG ĐẢNG"
        assert document.signer_title == ("TRƯỞNG BAN",)


def test_an_empty_number_and_name_print_clear_placeholders():
    document = DocumentHeader()
    assert document.number_line() == f"Số {NUMBER_PLACEHOLDER}-BC/BTCHU" == "Số ……-BC/BTCHU"
    assert document.signer_name_line() == NAME_PLACEHOLDER == "(Họ và tên)"
    assert DocumentHeader(signer_name="   ").signer_name_line() == "(Họ và tên)"


def test_a_number_and_name_from_document_toml_replace_the_placeholders(tmp_path: Path):
    path = tmp_path / "document.toml"
    path.write_text('number = 12\nsigner_name = "Nguyễn Văn Thử"\n', encoding="utf-8")
    document = load_document(path)
    assert document.number_line() == "Số 12-BC/BTCHU"  # Party documents: no colon
    assert document.signer_name_line() == "Nguyễn Văn Thử"


def test_the_table_label_and_the_line_linking_it_to_the_report():
    document = DocumentHeader(number="15")
    assert document.table_caption() == "Biểu số 01"
    assert document.table_caption(2) == "Biểu số 02"
    assert document.attachment_line(date(2024, 4, 5)) == (
        "(Kèm theo Báo cáo số 15-BC/BTCHU, ngày 05-4-2024)")
    assert DocumentHeader().attachment_line(date(2025, 1, 9)) == (
        "(Kèm theo Báo cáo số ……-BC/BTCHU, ngày 09-01-2025)")
    assert DocumentHeader(table_label="Phụ lục").table_caption() == "Phụ lục 01"


def test_the_date_line_pads_days_below_10_and_months_below_3():
    document = DocumentHeader()
    assert document.place_date_line(date(2024, 4, 5)) == "Bảo Lâm, ngày 05 tháng 4 năm 2024"
    assert document.place_date_line(date(2024, 2, 15)) == "Bảo Lâm, ngày 15 tháng 02 năm 2024"
    assert document.place_date_line(date(2024, 12, 1)) == "Bảo Lâm, ngày 01 tháng 12 năm 2024"


@pytest.mark.parametrize(("text", "message"), [
    ('signer = "x"\n', "unknown keys"),
    ('recipients = ["- Lưu", 3]\n', "text or lists of text"),
    ("number = true\n", "text or lists of text"),
    ("number = \n", "document.toml"),
])
def test_a_wrong_document_toml_is_refused_with_its_reason(tmp_path: Path, text, message):
    path = tmp_path / "document.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentConfigError, match=message):
        load_document(path)


def test_without_document_toml_the_district_boards_defaults_apply(tmp_path: Path):
    assert load_document(tmp_path / "document.toml") == DocumentHeader()


def test_the_provinces_file_is_read_over_the_provinces_own_wording(tmp_path: Path):
    province = DocumentHeader(superior_body="TỈNH ỦY LÂM ĐỒNG", number_symbol="BC/BTCTU",
                              place="Đà Lạt", recipients=("- Các đảng ủy xã, phường,",
                                                          "- Lưu BTCTU."))
    path = tmp_path / "document-LD.toml"
    path.write_text('number = "7"\nsigner_name = "Trần Thị Ký"\n', encoding="utf-8")
    document = load_document(path, province)
    assert document.number_line() == "Số 7-BC/BTCTU"
    assert document.signer_name_line() == "Trần Thị Ký"
    assert (document.superior_body, document.place, document.recipients) == (
        province.superior_body, province.place, province.recipients)
    for shipped in (p for p in SHIPPED if p.name == "document-LD.toml"):
        assert load_document(shipped, province) == province  # empty number and name
