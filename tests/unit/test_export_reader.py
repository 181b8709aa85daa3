"""Reading a district's upward data file (EXPORT.md) into typed rows, or a named error."""

from __future__ import annotations

import json

import pytest
from province_factories import (
    PERIOD,
    csv_bytes,
    csv_records,
    district_csv,
    district_json,
    edit,
    province_registry,
)

from core.errors import ReadError
from core.export_format import CSV, JSON, ExportRow
from forms.errors import EmptyFile
from forms.export_reader import (
    NotCsv,
    NotJsonRecords,
    NotUtf8,
    NotWholeNumber,
    WrongColumns,
    read_export,
)

COLUMNS = ["period", "unit_code", "unit_level", "parent_code", "population", "indicator",
           "breakdown", "value"]


@pytest.fixture(scope="module")
def registry():
    return province_registry()


@pytest.fixture(scope="module")
def good(registry) -> bytes:
    return district_csv(registry, "BL", missing=["BL03"])


def test_a_good_file_gives_one_typed_row_per_line(good):
    read = read_export(good)
    records = csv_records(good)
    assert read.kind == CSV and len(read.rows) == len(records)
    assert read.lines[0] == 2 and read.lines[-1] == len(records) + 1
    first = read.rows[0]
    assert first == ExportRow(PERIOD, "BL01", "chi_bo", "BL", "hoc_sinh", "TH01", "tong",
                              int(records[0]["value"]))
    assert read.extra_columns == ()
    top = [r for r in read.rows if r.unit_code == "BL"]
    assert {r.parent_code for r in top} == {"LD"}
    assert {"BL01", "BL02", "BL04"} == {r.unit_code for r in read.rows} - {"BL"}


def test_the_json_twin_reads_to_the_same_rows(registry, good):
    twin = read_export(district_json(registry, "BL", missing=["BL03"]))
    assert twin.kind == JSON
    assert twin.rows == read_export(good).rows


def test_columns_in_another_order_and_a_byte_order_mark_are_accepted(good):
    records = csv_records(good)
    reordered = csv_bytes(records, list(reversed(COLUMNS)))
    assert read_export(b"\xef\xbb\xbf" + reordered).rows == read_export(good).rows


def test_an_empty_top_parent_is_none_and_an_extra_column_is_kept_aside(good):
    def add_note(records):
        for r in records:
            r["ghi_chu"] = "x"
    read = read_export(edit(good, add_note, [*COLUMNS, "ghi_chu"]))
    assert read.extra_columns == ("ghi_chu",)
    assert read.extras[0] == ("x",)
    assert read.column_letter("ghi_chu") == "I" and read.column_letter("value") == "H"


@pytest.mark.parametrize(("content", "error", "rule"), [
    ("period,Lâm Hà\n".encode("latin-1"), NotUtf8, "F01"),
    ("period,value\n".encode("utf-16"), NotUtf8, "F01"),
    (b"PK\x03\x04" + b"\0" * 40, NotCsv, "F01"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, NotCsv, "F01"),
    (b'period,unit_code\n"BL01,2024-03\n', NotCsv, "F01"),
    (b"just one line of text\n", NotCsv, "F01"),
    (b"[1, 2, 3]", NotJsonRecords, "F01"),
    (b"{not json", NotJsonRecords, "F01"),
    (b"   \n", EmptyFile, "F01"),
])
def test_unreadable_content_gives_a_named_error(content, error, rule):
    with pytest.raises(error) as caught:
        read_export(content)
    assert isinstance(caught.value, ReadError)
    assert caught.value.rule_id == rule
    assert caught.value.message_vi


def test_a_missing_column_is_wrong_columns(good):
    records = csv_records(good)
    for r in records:
        del r["breakdown"]
    with pytest.raises(WrongColumns) as caught:
        read_export(csv_bytes(records))
    assert caught.value.rule_id == "F07" and "breakdown" in caught.value.message_vi


def test_a_column_twice_is_wrong_columns(good):
    text = good.decode().replace("value\n", "value,value\n", 1)
    with pytest.raises(WrongColumns):
        read_export(text.encode())


def test_a_json_record_without_a_key_is_wrong_columns(registry):
    records = json.loads(district_json(registry, "BL"))
    for r in records:
        del r["unit_level"]
    with pytest.raises(WrongColumns):
        read_export(json.dumps(records).encode())


@pytest.mark.parametrize("value", ["1.5", "", "mười", "3,0", "1e3"])
def test_a_value_that_is_not_a_whole_number_names_its_line(good, value):
    def spoil(records):
        records[4]["value"] = value
    with pytest.raises(NotWholeNumber) as caught:
        read_export(edit(good, spoil))
    assert caught.value.rule_id == "F07" and caught.value.line == 6
    assert "Dòng 6" in caught.value.message_vi


def test_text_protected_by_an_apostrophe_reads_as_written(good):
    def protect(records):
        records[0]["parent_code"] = "'-BL"
    read = read_export(edit(good, protect))
    assert read.rows[0].parent_code == "-BL"


def test_a_data_file_over_the_size_limit_is_refused_not_parsed_in_part():
    from core.export_format import EXPORT_COLUMNS
    from core.limits import DEFAULT_LIMITS
    from forms.errors import OversizedWorkbook

    header = ",".join(EXPORT_COLUMNS).encode() + b"\n"
    with pytest.raises(OversizedWorkbook, match="quá lớn"):
        read_export(header + b"x" * DEFAULT_LIMITS.max_file_bytes)
