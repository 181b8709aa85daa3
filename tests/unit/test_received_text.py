"""Received text, bounded and made harmless where it is shown: the run table on the
terminal, and rule F08's sentence quoting the unit name a cell wrote."""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace

from cellreports.console import console, show_outputs, show_runs
from validations.messages import message

HOSTILE = "BL01\x1b[31m\u202egpj.xlsx\x1b]0;pwned\x07"


def _unsafe(output: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in output
            if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"]


def test_the_run_table_and_outputs_show_received_names_without_control_characters():
    row = SimpleNamespace(period="2024-03", unit=HOSTILE, filename=HOSTILE, version=1,
                          status="rejected", errors=1, warnings=0)
    summary = SimpleNamespace(period="2024-03", rows=[row], report=None,
                              export_csv=None, outbox=None, data_docs=None,
                              missing=[HOSTILE], rebuilt=[],
                              pending=[(HOSTILE, "2024-03", 2, HOSTILE)])
    with console.capture() as captured:
        show_runs([summary])
        show_outputs(summary)
    shown = captured.get()
    assert "BL01[31m" in shown and "pwned" in shown  # shown, without what hid in it
    assert _unsafe(shown) == []


def test_f08_quotes_a_short_prefix_of_an_overlong_unit_name():
    text = message("unit_name", "unit_name", "Chi bộ " + "x" * 10_000)
    assert len(text) < 200
    assert "«Chi bộ xxx" in text and "…»" in text
    assert text.endswith("khác tên trong danh mục đơn vị; đề nghị ghi đúng tên.")


def test_f08_quotes_an_ordinary_unit_name_whole():
    name = "Chi bộ Trường THPT Lộc An"
    assert message("unit_name", "unit_name", name) == (
        f"Tên chi bộ «{name}» khác tên trong danh mục đơn vị; đề nghị ghi đúng tên.")
