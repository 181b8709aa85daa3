"""The cells' web page in-process (FastAPI's TestClient on the real app, warehouse and
sandboxed reader): sign-in, the month's form, an upload's verdict and findings, and that
no route lets one cell see another's files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_header, make_rejected_bl02, make_workbook
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from core.registry import Registry
from core.settings import Settings
from services.accounts import add_account, disable_account, reset_password
from warehouse import models as m
from warehouse.unit_of_work import Warehouse
from web.app import create_app

BL02_FIXED = make_workbook(header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An"))


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")
    Warehouse.of(settings).ready(Registry.load(settings.registry_dir))
    return settings


@pytest.fixture
def passwords(site: Settings) -> dict[str, str]:
    registry = Registry.load(site.registry_dir)
    return {code: add_account(site, registry, code, f"{code.lower()}@truong.edu.vn")[1]
            for code in ("BL01", "BL02")}


MARCH_20 = datetime(2024, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def app(site: Settings, passwords: dict[str, str]):  # type: ignore[no-untyped-def]
    """The page as on 20 March 2024 (a month of the demo registry)."""
    return create_app(site, clock=lambda: MARCH_20)


def _client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _signed_in(app, login: str, password: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = _client(app)
    token = _csrf(client.get("/dang-nhap").text)
    answer = client.post("/dang-nhap", data={"login": login, "password": password,
                                             "csrf": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return client


@pytest.fixture
def bl02(app, passwords) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with _signed_in(app, "BL02", passwords["BL02"]) as client:
        yield client


def _upload(client: TestClient, content: bytes, name: str = "BL02_2024-03.xlsx"):  # type: ignore[no-untyped-def]
    token = _csrf(client.get("/").text)
    return client.post("/nop", data={"csrf": token}, files={"file": (name, content)})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---- signing in ---------------------------------------------------------------------------

def test_every_page_but_sign_in_sends_a_stranger_to_sign_in(app):
    client = _client(app)
    for path in ("/", "/bieu-mau/2024-03", "/ket-qua/1", "/ket-qua/1/tep"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/dang-nhap"), path
    assert client.post("/nop", files={"file": ("a.xlsx", b"x")}).status_code in (303, 404)
    page = client.get("/dang-nhap")
    assert page.status_code == 200 and "Đăng nhập" in page.text and 'lang="vi"' in page.text


def test_a_wrong_password_is_refused_in_vietnamese_and_audited(app, site, passwords):
    client = _client(app)
    token = _csrf(client.get("/dang-nhap").text)
    answer = client.post("/dang-nhap", data={"login": "BL01", "password": "sai",
                                             "csrf": token})
    assert answer.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.text
    assert client.get("/").status_code == 303  # still nobody
    with Warehouse.of(site).session() as session:
        actions = [(e.login, e.action) for e in session.query(m.AuditEvent)]
    assert actions == [("BL01", "login_refused")]


def test_sign_in_without_the_page_s_token_does_nothing(app, passwords):
    client = _client(app)
    client.get("/dang-nhap")
    answer = client.post("/dang-nhap", data={"login": "BL01", "password": passwords["BL01"],
                                             "csrf": "forged"})
    assert answer.status_code == 404
    assert client.get("/").status_code == 303


def test_after_five_failures_even_the_right_password_waits(app, passwords):
    client = _client(app)
    token = _csrf(client.get("/dang-nhap").text)
    for _ in range(5):
        assert client.post("/dang-nhap", data={"login": "BL01", "password": "sai",
                                               "csrf": token}).status_code == 401
    answer = client.post("/dang-nhap", data={"login": "BL01", "password": passwords["BL01"],
                                             "csrf": token})
    assert answer.status_code == 429 and "đợi 15 phút" in answer.text


def test_a_disabled_account_cannot_sign_in_and_a_reset_one_can(app, site, passwords):
    disable_account(site, "BL01")
    client = _client(app)
    token = _csrf(client.get("/dang-nhap").text)
    assert client.post("/dang-nhap", data={"login": "BL01", "password": passwords["BL01"],
                                           "csrf": token}).status_code == 401
    new = reset_password(site, "BL01")
    assert new != passwords["BL01"]
    _signed_in(app, "BL01", new)


def test_the_session_cookie_is_http_only_and_same_site_strict(app, passwords):
    client = _client(app)
    token = _csrf(client.get("/dang-nhap").text)
    answer = client.post("/dang-nhap", data={"login": "bl01", "password": passwords["BL01"],
                                             "csrf": token})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_signing_out_ends_the_session(bl02):
    token = _csrf(bl02.get("/").text)
    assert bl02.post("/dang-xuat", data={"csrf": token}).status_code == 303
    assert bl02.get("/").status_code == 303


# ---- what a cell does ---------------------------------------------------------------------

def test_the_home_page_shows_the_months_deadlines_and_the_blank_form(bl02):
    page = bl02.get("/")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Chi bộ Trường THPT Lộc An" in text and "Hạn nộp" in text
    assert "Tháng 03/2024 25/03/2024 còn 5 ngày (3 ngày làm việc) Chưa gửi" in text
    assert "Tháng 02/2024" in text and "Tháng 01/2024" in text
    assert "Chi bộ chưa gửi báo cáo nào." in text
    form = bl02.get("/bieu-mau/2024-03")
    assert form.status_code == 200
    assert 'filename="BC-PTD-HS_BL02_2024-03.xlsx"' in form.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(form.content))["ThongTin"]
    assert "BL02" in {c.value for row in sheet.iter_rows() for c in row}


def test_a_broken_upload_is_turned_back_with_each_finding_then_the_fix_is_taken(bl02, site):
    answer = _upload(bl02, make_rejected_bl02())
    assert answer.status_code == 303
    result = bl02.get(answer.headers["location"])
    text = _text(result.text)
    assert "TRẢ LẠI" in text and "NHẬN" not in text.replace("TRẢ LẠI", "")
    # the finding as a row: level, sheet, cell, rule, what to do (with the value written)
    row = re.search(r'<tr class="bad">(.*?)</tr>', result.text, re.S)
    assert row is not None
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
    assert cells[:3] == ["Lỗi", "DanhSach", "C5"] and cells[3].startswith("R02")
    assert "31/02/2007" in cells[4]
    download = bl02.get(answer.headers["location"] + "/tep")
    assert download.status_code == 200
    assert "KetQuaKiemTra" in download.headers["content-disposition"]
    assert zipfile.ZipFile(io.BytesIO(download.content)).testzip() is None

    fixed = bl02.get(_upload(bl02, BL02_FIXED, "BL02_2024-03_sua.xlsx").headers["location"])
    assert "NHẬN" in _text(fixed.text) and "TRẢ LẠI" not in fixed.text
    home = _text(bl02.get("/").text)
    assert "BL02_2024-03_sua.xlsx" in home and "BL02_2024-03.xlsx" in home
    assert "Tháng 03/2024 25/03/2024 còn 5 ngày (3 ngày làm việc) Đã nhận (lần gửi 2)" in home
    with Warehouse.of(site).session() as session:
        subs = sorted((s.version, s.status, s.channel, s.sender)
                      for s in session.query(m.Submission))
        actions = sorted(e.action for e in session.query(m.AuditEvent))
    assert subs == [(1, "superseded", "web", "BL02"), (2, "accepted", "web", "BL02")]
    assert actions.count("upload") == 2 and "download" in actions


def test_the_same_bytes_twice_are_one_submission(bl02, site):
    first = _upload(bl02, BL02_FIXED).headers["location"]
    assert _upload(bl02, BL02_FIXED).headers["location"] == first
    with Warehouse.of(site).session() as session:
        assert session.query(m.Submission).count() == 1


def test_a_file_that_is_not_a_workbook_gets_its_named_reason(bl02):
    result = bl02.get(_upload(bl02, b"%PDF-1.4 not a workbook", "BL02.xlsx")
                      .headers["location"])
    assert result.status_code == 200 and "TRẢ LẠI" in result.text
    assert "F01" in result.text


def test_an_upload_of_another_type_or_empty_or_too_large_is_refused_in_vietnamese(bl02):
    wrong = _upload(bl02, b"%PDF-1.4", "bao_cao.pdf")
    assert wrong.status_code == 400 and "không phải bảng tính" in wrong.text
    empty = _upload(bl02, b"", "BL02.xlsx")
    assert empty.status_code == 400 and "Tệp rỗng" in empty.text
    token = _csrf(bl02.get("/").text)
    huge = bl02.post("/nop", data={"csrf": token},
                     files={"file": ("BL02.xlsx", b"\0" * (21 * 1024 * 1024))})
    assert huge.status_code == 413 and "MB" in huge.text


def test_an_upload_without_the_page_s_token_is_not_taken(bl02, site):
    answer = bl02.post("/nop", data={"csrf": "forged"},
                       files={"file": ("BL02.xlsx", BL02_FIXED)})
    assert answer.status_code == 404
    with Warehouse.of(site).session() as session:
        assert session.query(m.Submission).count() == 0


# ---- one cell never reaches another's files --------------------------------------------

def test_no_route_shows_one_cell_another_cells_files(app, bl02, passwords):
    location = _upload(bl02, make_rejected_bl02()).headers["location"]
    submission_id = int(location.rsplit("/", 1)[1])
    with _signed_in(app, "BL01", passwords["BL01"]) as bl01:
        for path in (location, f"{location}/tep", f"/ket-qua/{submission_id + 1}",
                     "/ket-qua/0", "/ket-qua/-1", "/ket-qua/abc", "/ket-qua/..%2F..%2Fetc",
                     "/ket-qua/1/../../etc/passwd", "/static/../app.py",
                     "/bieu-mau/2024-13", "/bieu-mau/..%2Fsecret.key"):
            answer = bl01.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert "Lộc An" not in answer.text and "BL02_2024-03" not in answer.text
        assert "BL02_2024-03" not in bl01.get("/").text
    # the owner still sees it
    assert bl02.get(location).status_code == 200


def test_a_workbook_of_another_unit_is_rejected_and_stays_with_its_sender(app, bl02,
                                                                          passwords):
    """BL02's account uploading BL01's workbook: F05, shown to BL02, never to BL01."""
    location = _upload(bl02, make_workbook(), "BL01_2024-03.xlsx").headers["location"]
    result = _text(bl02.get(location).text)
    assert "TRẢ LẠI" in result and "F05" in result
    with _signed_in(app, "BL01", passwords["BL01"]) as bl01:
        assert bl01.get(location).status_code == 404
        assert "BL01_2024-03.xlsx" not in bl01.get("/").text


# ---- what the browser is told --------------------------------------------------------------

def test_every_answer_carries_the_security_headers(app, bl02):
    for answer in (_client(app).get("/dang-nhap"), bl02.get("/"), bl02.get("/ket-qua/999"),
                   bl02.get("/static/style.css")):
        headers = answer.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert "<script" not in bl02.get("/").text and "style=" not in bl02.get("/").text


def test_a_failure_inside_is_a_vietnamese_page_never_a_traceback(app, bl02, monkeypatch):
    import web.common as web_app

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail /srv/var/warehouse.sqlite")

    monkeypatch.setattr(web_app.Intake, "take", broken)
    answer = _upload(bl02, BL02_FIXED)
    assert answer.status_code == 500 and "Có lỗi trong hệ thống" in answer.text
    assert "Traceback" not in answer.text and "secret detail" not in answer.text


# ---- the district's commands ----------------------------------------------------------------

def test_users_commands_create_reset_disable_and_list_accounts(tmp_path):
    from typer.testing import CliRunner

    from cellreports.cli import app as cli

    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "var")]
    added = runner.invoke(cli, ["users", "add", "bl03", "--email", "bl03@truong.edu.vn", *data])
    assert added.exit_code == 0, added.output
    password = added.output.rsplit(":", 1)[1].strip()
    assert len(password) == 12 and "Account BL03 (cell, BL03) created" in added.output
    again = runner.invoke(cli, ["users", "add", "BL03", *data])
    assert again.exit_code == 1 and "exists already" in again.output
    unknown = runner.invoke(cli, ["users", "add", "BL99", *data])
    assert unknown.exit_code == 2 and "not a reporting cell" in unknown.output
    district = runner.invoke(cli, ["users", "add", "BL", *data])
    assert district.exit_code == 2  # the district is no cell: its desk is another page

    settings = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")
    from services.accounts import sign_in

    assert sign_in(settings, "BL03", password) is not None
    assert runner.invoke(cli, ["users", "disable", "BL03", *data]).exit_code == 0
    assert sign_in(settings, "BL03", password) is None
    listed = runner.invoke(cli, ["users", "list", *data])
    assert "BL03" in listed.output and "disabled" in listed.output
    reset = runner.invoke(cli, ["users", "reset", "BL03", *data])
    new = reset.output.rsplit(":", 1)[1].strip()
    assert reset.exit_code == 0 and new != password
    assert sign_in(settings, "BL03", new) is not None
    assert sign_in(settings, "BL03", password) is None
    missing = runner.invoke(cli, ["users", "reset", "BL04", *data])
    assert missing.exit_code == 1 and "no account BL04" in missing.output
    with Warehouse.of(settings).session() as session:
        stored = session.query(m.Account).one()
    assert password not in stored.password_hash and stored.password_hash.startswith("$argon2")


# ---- uploads at once -------------------------------------------------------------------------

def test_uploads_arriving_together_are_checked_in_one_batch_and_each_answered(site):
    """Six cells upload at the same moment: each gets its own submission and feedback, and
    the six take at most two validations (the first alone, the rest together)."""
    from concurrent.futures import ThreadPoolExecutor

    from services.levels import DistrictLevel
    from services.uploads import Intake, Upload

    registry = Registry.load(site.registry_dir)
    level = DistrictLevel.of(site, registry, data_docs=False)
    checks = []
    real_check = level.check

    def counted(files, *args, **kwargs):  # type: ignore[no-untyped-def]
        checks.append(len(files))
        return real_check(files, *args, **kwargs)

    level.check = counted  # type: ignore[method-assign]
    intake = Intake(level)
    names = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
             "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
    uploads = [Upload(code, f"{code}_2024-03.xlsx",
                      make_workbook(header=make_header(code, unit_name=name)), MARCH_20)
               for code, name in names.items()]
    uploads += [Upload("BL02", "BL02_hong.xlsx", make_rejected_bl02(), MARCH_20),
                Upload("BL03", "BL03.xlsx", b"not a workbook", MARCH_20),
                Upload("BL01", "BL01_again.xlsx", uploads[0].content, MARCH_20)]
    with ThreadPoolExecutor(len(uploads)) as pool:
        taken = list(pool.map(intake.take, uploads))
    assert sum(checks) == 5 and len(checks) <= 2  # the repeated bytes are not read again
    assert taken[5] == type(taken[0])(taken[0].submission_id, True)
    assert len({t.submission_id for t in taken}) == 5
    with Warehouse.of(site).session() as session:
        answered = {s.filename: bool(s.feedback_path) for s in session.query(m.Submission)}
    assert answered == {u.filename: True for u in uploads[:5]}


def test_the_same_bytes_twice_in_one_batch_are_read_once_and_are_one_submission(site):
    from services.levels import DistrictLevel
    from services.uploads import Upload, take_uploads

    level = DistrictLevel.of(site, Registry.load(site.registry_dir), data_docs=False)
    read = []
    real_read = level.read
    level.read = lambda contents: read.append(len(contents)) or real_read(contents)  # type: ignore[method-assign]
    upload = Upload("BL02", "BL02_2024-03.xlsx", BL02_FIXED, MARCH_20)
    first, again = take_uploads(level, [upload, upload])
    assert read == [1] and not first.known and again == type(first)(first.submission_id, True)



def test_the_home_page_shows_last_month_s_accepted_figures(site, passwords):
    april = create_app(site, clock=lambda: datetime(2024, 4, 10, 9, 0,
                                                    tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    with _signed_in(april, "BL02", passwords["BL02"]) as bl02:
        assert "Số liệu tháng 03/2024" not in bl02.get("/").text  # nothing accepted yet
        bl02.get(_upload(bl02, BL02_FIXED).headers["location"])
        page = bl02.get("/").text
        text = _text(page)
    title = re.findall(r"<title>(.*?)</title>", page, re.S)
    assert title == ["Chi bộ Trường THPT Lộc An — Báo cáo phát triển đảng viên"]
    assert "Số liệu tháng 03/2024 đã được nhận (lần gửi 1)" in text
    assert re.search(r"TH01 Tổng số \d+ \d+", text)
    with _signed_in(april, "BL01", passwords["BL01"]) as bl01:  # none of BL02's figures
        assert "Số liệu tháng 03/2024" not in bl01.get("/").text


def test_each_page_is_one_well_formed_document_with_its_title(bl02):
    from html.parser import HTMLParser

    class Titles(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.titles: list[str] = []
            self._in = False

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            self._in = tag == "title"

        def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
            self._in = False

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if self._in:
                self.titles.append(data)

    location = _upload(bl02, BL02_FIXED).headers["location"]
    for path in ("/", location, "/ket-qua/999"):
        page = bl02.get(path).text
        parser = Titles()
        parser.feed(page)
        assert len(parser.titles) == 1 and "<" not in parser.titles[0], (path, parser.titles)
        assert page.count("<html") == 1 and page.count("</main>") == 1
