"""The links a run leaves in Prefect (reports/artifacts.py, flows/walk.py): with the desk's
address (``CELLREPORTS_WEB_URL``) they open the desk's pages — the reports, the Data Docs,
the month's board — behind its sign-in; without it they are the files on this machine, as
they always were."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.run import RunSummary
from core.settings import Settings
from reports import artifacts

DESK = "https://baocao.baolam.vn"


def _district(tmp_path: Path, data_docs: bool = True) -> RunSummary:
    folder = tmp_path / "reports" / "2024-03"
    return RunSummary("2024-03", unit="BL", level="district",
                      report=folder / "BaoCaoTongHop_BL_2024-03.xlsx",
                      export_csv=folder / "DuLieu_BL_2024-03.csv",
                      export_json=folder / "DuLieu_BL_2024-03.json",
                      outbox=tmp_path / "outbox",
                      data_docs=tmp_path / "datadocs" / "index.html" if data_docs else None,
                      missing=["BL03"], pending=[("BL01", "2024-03", 2, "BL01.xlsx")])


def _province(tmp_path: Path) -> RunSummary:
    folder = tmp_path / "province" / "reports" / "2024-03"
    return RunSummary("2024-03", unit="LD", level="province",
                      report=folder / "BaoCaoTongHop_LD_2024-03.xlsx",
                      export_csv=folder / "DuLieu_LD_2024-03.csv",
                      export_json=folder / "DuLieu_LD_2024-03.json",
                      data_docs=tmp_path / "province" / "datadocs" / "index.html")


def test_without_the_desk_s_address_the_links_are_the_files_as_before(tmp_path):
    summary = _district(tmp_path)
    found = {link.key: link for link in artifacts.links(summary)}
    assert set(found) == {"district-report-2024-03", "upward-data-2024-03",
                          "data-docs-2024-03"}
    assert found["district-report-2024-03"].link == summary.report.resolve().as_uri()
    assert found["district-report-2024-03"].text == "BaoCaoTongHop_BL_2024-03.xlsx"
    assert found["district-report-2024-03"].description == "District report"
    assert found["upward-data-2024-03"].link == summary.export_csv.resolve().as_uri()
    assert found["data-docs-2024-03"].link == summary.data_docs.resolve().as_uri()
    markdown = artifacts.outputs_markdown(summary)
    assert f"- District report: `{summary.report}`" in markdown
    assert f"- Validation results (GX Data Docs): `{summary.data_docs}`" in markdown
    assert "http" not in markdown


def test_with_the_desk_s_address_the_links_open_its_pages(tmp_path):
    found = {link.key: link for link in artifacts.links(_district(tmp_path), DESK + "/")}
    month = f"{DESK}/don-vi/BL/2024-03"
    assert {key: link.link for key, link in found.items()} == {
        "district-report-2024-03": f"{month}/bao-cao/tep/BaoCaoTongHop_BL_2024-03.xlsx",
        "upward-data-2024-03": f"{month}/bao-cao/tep/DuLieu_BL_2024-03.csv",
        "data-docs-2024-03": f"{DESK}/don-vi/BL/data-docs/index.html",
        "desk-reports-2024-03": f"{month}/bao-cao",
        "desk-board-2024-03": month,
    }
    assert found["district-report-2024-03"].text == "BaoCaoTongHop_BL_2024-03.xlsx"
    assert "file://" not in " ".join(link.link for link in found.values())


def test_the_province_s_links_open_its_reports_and_its_own_board(tmp_path):
    found = {link.key: link.link for link in artifacts.links(_province(tmp_path), DESK)}
    assert found == {
        "province-report-2024-03":
            f"{DESK}/don-vi/LD/2024-03/bao-cao/tep/BaoCaoTongHop_LD_2024-03.xlsx",
        "province-upward-data-2024-03":
            f"{DESK}/don-vi/LD/2024-03/bao-cao/tep/DuLieu_LD_2024-03.csv",
        "province-data-docs-2024-03": f"{DESK}/don-vi/LD/data-docs/index.html",
        "province-desk-reports-2024-03": f"{DESK}/don-vi/LD/2024-03/bao-cao",
        "province-desk-board-2024-03": f"{DESK}/tinh/LD/2024-03",
    }


@pytest.mark.parametrize("web_url", [None, DESK])
def test_no_data_docs_link_when_no_site_was_built(tmp_path, web_url):
    summary = _district(tmp_path, data_docs=False)
    assert not any("data-docs" in link.key for link in artifacts.links(summary, web_url))
    markdown = artifacts.outputs_markdown(summary, web_url)
    assert "Data Docs](" not in markdown


def test_the_outputs_markdown_links_the_desk_and_names_no_file_of_the_server_but_the_outbox(
        tmp_path):
    summary = _district(tmp_path)
    markdown = artifacts.outputs_markdown(summary, DESK)
    month = f"{DESK}/don-vi/BL/2024-03"
    for line in (f"- The month on the desk: [BL 2024-03]({month})",
                 f"- Reports, history and approval: [2024-03]({month}/bao-cao)",
                 f"- District report: [BaoCaoTongHop\\_BL\\_2024-03.xlsx]"
                 f"({month}/bao-cao/tep/BaoCaoTongHop_BL_2024-03.xlsx)",
                 f"- Upward data file (JSON): [DuLieu\\_BL\\_2024-03.json]"
                 f"({month}/bao-cao/tep/DuLieu_BL_2024-03.json)",
                 f"- Validation results (GX Data Docs): [Data Docs]"
                 f"({DESK}/don-vi/BL/data-docs/index.html)",
                 "- Cells without an accepted report: BL03",
                 "- Corrections waiting for an approved month to be reopened: BL01 2024-03 v2"):
        assert line in markdown.splitlines(), line
    server_paths = [line for line in markdown.splitlines() if str(tmp_path) in line]
    assert server_paths == [f"- Feedback outbox (on the server): `{summary.outbox}`"]


def test_an_odd_unit_code_or_file_name_stays_one_address(tmp_path):
    summary = _district(tmp_path)
    summary.unit = "BL 1/x"
    summary.export_csv = tmp_path / "Du Lieu#1.csv"
    found = {link.key: link.link for link in artifacts.links(summary, DESK)}
    assert found["upward-data-2024-03"] == (f"{DESK}/don-vi/BL%201%2Fx/2024-03/bao-cao/tep/"
                                            "Du%20Lieu%231.csv")


def test_the_desk_s_address_is_a_setting_read_from_the_environment(monkeypatch, tmp_path):
    assert Settings(data_dir=tmp_path).web_url is None
    monkeypatch.setenv("CELLREPORTS_WEB_URL", DESK)
    assert Settings(data_dir=tmp_path).web_url == DESK


def test_the_walk_publishes_the_links_it_is_given(monkeypatch, tmp_path):
    """flows/walk.py hands the settings' address to the artifacts (none: the files)."""
    import flows.walk as walk

    published: list[dict] = []
    monkeypatch.setattr(walk, "create_link_artifact", lambda **kw: published.append(kw))
    monkeypatch.setattr(walk, "create_table_artifact", lambda **kw: None)
    markdowns: list[str] = []
    monkeypatch.setattr(walk, "create_markdown_artifact",
                        lambda **kw: markdowns.append(kw["markdown"]))
    summary = _district(tmp_path)
    walk.publish_artifacts(summary, DESK)
    assert {p["key"]: p["link"] for p in published}["desk-board-2024-03"] == (
        f"{DESK}/don-vi/BL/2024-03")
    assert all(p["link"].startswith(DESK) for p in published)
    assert f"({DESK}/don-vi/BL/2024-03/bao-cao)" in markdowns[0]
    published.clear()
    walk.publish_artifacts(summary)
    assert all(p["link"].startswith("file://") for p in published)
    assert {p["link_text"] for p in published} == {
        "BaoCaoTongHop_BL_2024-03.xlsx", "DuLieu_BL_2024-03.csv", "index.html"}
