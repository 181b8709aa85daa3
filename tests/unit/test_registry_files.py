"""The registry folders shipped with the project load, with their report wording."""

from __future__ import annotations

from core.registry import Registry
from core.settings import PROJECT_ROOT, Settings
from reports.document import DocumentHeader, load_document
from services.reporting import document_file

REGISTRIES = PROJECT_ROOT / "config" / "registry"


def test_each_commune_of_2025_has_its_own_report_header():
    settings = Settings(registry_dir=REGISTRIES / "lam-dong-2025", district_code="BLM3")
    document = load_document(document_file(settings))
    assert document.superior_body == "ĐẢNG ỦY XÃ BẢO LÂM 3"
    assert Registry.load(settings.registry_dir).get("BLM3").level == "xa"


def test_the_district_of_2024_uses_the_registry_wide_header():
    settings = Settings(registry_dir=REGISTRIES / "bao-lam-2024", district_code="BL")
    assert document_file(settings).name == "document.toml"
    assert load_document(document_file(settings)) == DocumentHeader()


def test_targets_can_be_kept_in_an_excel_workbook(tmp_path):
    import shutil

    from openpyxl import Workbook

    shutil.copy(REGISTRIES / "bao-lam-2024" / "units.csv", tmp_path / "units.csv")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit_code", "year", "population", "target"])
    sheet.append(["BL01", 2024, "hoc_sinh", 9])
    sheet.append(["BL01", 2024, "vien_chuc", 3])
    workbook.save(tmp_path / "targets.xlsx")
    registry = Registry.load(tmp_path)
    assert registry.target("BL01", 2024, "hoc_sinh") == 9
    assert registry.target("BL01", 2024, "vien_chuc") == 3
    assert registry.target("BL02", 2024, "hoc_sinh") is None


def test_a_unit_sits_under_its_parents_up_to_the_top_and_a_loop_ends(tmp_path):
    from core.settings import DEFAULT_REGISTRY

    registry = Registry.load(DEFAULT_REGISTRY)
    assert registry.above("BL01") == {"BL", "LD"}
    assert registry.above("LD") == set() and registry.above("XX") == set()
    (tmp_path / "units.csv").write_text(
        "code,name,level,parent_code,valid_from,valid_to,senders\n"
        "A,Đơn vị A,huyen,B,,,\nB,Đơn vị B,huyen,A,,,\n", encoding="utf-8")
    (tmp_path / "targets.csv").write_text("unit_code,year,population,target\n",
                                          encoding="utf-8")
    assert Registry.load(tmp_path).above("A") == {"A", "B"}  # a broken file cannot hang it
