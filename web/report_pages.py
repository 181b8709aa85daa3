"""The officers' reports page (issue 19, pages 4 and 5): the month's reports of the scope
(the district's or commune's, or the province's for the province's officer on
``/don-vi/<province>/…``), the PDF for sending, every earlier version with the figures
that changed between them, and the month's approval — the CLI's lock. And the level's GX
Data Docs site, behind the same sign-in.

Every route first asks ``officer_for`` (a page of a unit the account may not see is a 404);
what changes anything (approve, reopen, make the PDF) is for an officer who may act there
and carries the page's CSRF token. What is shown and served comes from
services/report_desk.py: files the month's report log knows, never a path of the request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from core.registry import Registry
from services import accounts, report_desk
from web.common import (
    MEDIA_TYPES,
    NotFound,
    Officer,
    address,
    check_csrf,
    desk_of,
    month_or_404,
    officer_for,
)
from web.officer import officer_page, open_month

router = APIRouter()


# GX's Data Docs pages run inline scripts and styles (and Vega compiles its charts with
# eval): their responses carry this policy instead of the app's (SecurityHeaders adds only
# the headers a response does not carry). Everything still comes from the desk itself, no
# frame may hold the pages, and no form leaves the site.
DATA_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                 "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                 "font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'; object-src 'none'")

# What the page says after an action (``?tb=``): (text, is it a failure). The month and the
# number of corrections applied are put in where the text names them.
NOTICES = {
    "phe-duyet": ("Đã phê duyệt và khoá số liệu tháng {month}. Tệp các đơn vị gửi muộn cho tháng "
                  "này sẽ chờ ở mục “Bản sửa đang chờ” cho đến khi mở lại tháng.", False),
    "da-phe-duyet": ("Tháng {month} đã được phê duyệt từ trước. Muốn phê duyệt lại, đồng chí "
                     "mở lại tháng trước.", True),
    "mo-lai": ("Đã mở lại tháng {month}: {applied} bản sửa đang chờ đã được áp dụng và báo "
               "cáo đã được lập lại.", False),
    "chua-phe-duyet": ("Tháng {month} chưa được phê duyệt nên không có gì để mở lại.", True),
    "pdf": ("Đã tạo tệp PDF của báo cáo tổng hợp để gửi.", False),
    "chua-co-bao-cao": ("Tháng {month} chưa có báo cáo tổng hợp nên chưa tạo được tệp PDF.",
                        True),
    "khong-co-libreoffice": ("Máy chủ chưa cài LibreOffice nên chưa tạo được tệp PDF. Đồng chí "
                             "tải bảng tính Excel về và in ra PDF, hoặc nhờ quản trị viên cài "
                             "LibreOffice.", True),
    "pdf-loi": ("LibreOffice chưa chuyển được bảng tính sang PDF. Đồng chí thử lại sau ít "
                "phút; nếu vẫn lỗi, xin báo quản trị viên.", True),
}

Token = Annotated[str, Form(max_length=128)]


def _scope(request: Request, unit_code: str, period: str) -> tuple[Officer, str, str]:
    """The officer on this scope's month (else 404 / sign-in), the month, the level."""
    officer = officer_for(request, unit_code)
    return officer, month_or_404(period), report_desk.level_of(officer.at_province)


def _names(officer: Officer) -> bool:
    """Whether the files that name people are the officer's to get: the district's own
    officer's (the province's workbook names nobody; the province's officer reads the
    district's month without them)."""
    return officer.may_act or officer.at_province


def _registry(request: Request, officer: Officer) -> Registry:
    """The registry of the scope's level: the province's (its districts or communes) or
    the district's (its cells)."""
    desk = desk_of(request)
    return desk.province()[0] if officer.at_province else desk.registry


def _acting(request: Request, unit_code: str, period: str, token: str,
            ) -> tuple[Officer, str, str]:
    """An officer who may act on this month, with the page's token; else 404 (a province
    officer on the district's pages reads them only)."""
    officer, month, level = _scope(request, unit_code, period)
    if not officer.may_act:
        raise NotFound
    check_csrf(request, token)
    return officer, month, level


def _back(officer: Officer, month: str, notice: str, applied: int | None = None) -> Response:
    url = f"/don-vi/{officer.scope.code}/{month}/bao-cao?tb={notice}"
    if applied is not None:
        url += f"&so={applied}"
    return RedirectResponse(url, status_code=303)


@router.get("/don-vi/{unit_code}/{period}/bao-cao", response_class=HTMLResponse)
def reports_page(request: Request, unit_code: str, period: str,
                 tb: Annotated[str, Query(max_length=32)] = "",
                 so: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    """The month's reports, the PDF, the earlier versions and the approval."""
    officer, month, level = _scope(request, unit_code, period)
    settings = desk_of(request).settings
    found = report_desk.month_reports(settings, _registry(request, officer),
                                      officer.scope.code, level, month, names=_names(officer))
    notice = NOTICES.get(tb)
    label = f"{month[5:]}/{month[:4]}"
    return officer_page(
        request, officer, "reports.html", month, reports=found,
        notice=notice[0].format(month=label, applied=so) if notice else None,
        notice_failed=bool(notice and notice[1]),
        libreoffice=report_desk.has_libreoffice())


@router.get("/don-vi/{unit_code}/{period}/bao-cao/tep/{name}")
def report_file(request: Request, unit_code: str, period: str, name: str) -> Response:
    """A current file of the month (the workbook, its PDF, the data file)."""
    officer, month, level = _scope(request, unit_code, period)
    settings = desk_of(request).settings
    path = report_desk.report_file(settings, officer.scope.code, level, month, name,
                                   names=_names(officer))
    if path is None:
        raise NotFound
    accounts.record(settings, officer.account.login, "report_download", officer.scope.code,
                    address=address(request))
    return FileResponse(path, filename=path.name,
                        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"))


@router.get("/don-vi/{unit_code}/{period}/bao-cao/ban/{build_id}")
def earlier_version(request: Request, unit_code: str, period: str, build_id: int,
                    ) -> Response:
    """One version of the month's reports, byte for byte as it was built."""
    officer, month, level = _scope(request, unit_code, period)
    settings = desk_of(request).settings
    found = report_desk.earlier_version(settings, officer.scope.code, level, month, build_id,
                                        names=_names(officer))
    if found is None:
        raise NotFound
    path, name = found
    accounts.record(settings, officer.account.login, "report_version", officer.scope.code,
                    address=address(request))
    return FileResponse(path, filename=name,
                        media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"))


@router.post("/don-vi/{unit_code}/{period}/bao-cao/pdf")
def make_pdf(request: Request, unit_code: str, period: str, csrf: Token = "") -> Response:
    """The PDF for sending, made from the month's current workbook by LibreOffice."""
    officer, month, level = _acting(request, unit_code, period, csrf)
    settings = desk_of(request).settings
    try:
        made = report_desk.build_pdf(settings, officer.scope.code, level, month)
    except report_desk.NoLibreOffice:
        return _back(officer, month, "khong-co-libreoffice")
    except report_desk.PdfFailed:
        return _back(officer, month, "pdf-loi")
    if made is None:
        return _back(officer, month, "chua-co-bao-cao")
    accounts.record(settings, officer.account.login, "report_pdf", officer.scope.code,
                    address=address(request))
    return _back(officer, month, "pdf")


@router.post("/don-vi/{unit_code}/{period}/phe-duyet")
def approve(request: Request, unit_code: str, period: str, csrf: Token = "") -> Response:
    """Approve and lock the month: the officer's login is recorded with the time."""
    officer, month, _level = _acting(request, unit_code, period, csrf)
    settings = desk_of(request).settings
    try:
        report_desk.approve(settings, officer.scope.code, month, officer.account.login)
    except report_desk.AlreadyApproved:
        return _back(officer, month, "da-phe-duyet")
    accounts.record(settings, officer.account.login, "approve", officer.scope.code,
                    address=address(request))
    return _back(officer, month, "phe-duyet")


@router.post("/don-vi/{unit_code}/{period}/mo-lai")
def reopen(request: Request, unit_code: str, period: str, csrf: Token = "") -> Response:
    """Reopen the month: its pending corrections are applied and its reports rebuilt."""
    officer, month, level = _acting(request, unit_code, period, csrf)
    settings = desk_of(request).settings
    try:
        applied = report_desk.reopen(settings, _registry(request, officer),
                                     officer.scope.code, level, month, officer.account.login)
    except report_desk.NotApproved:
        return _back(officer, month, "chua-phe-duyet")
    accounts.record(settings, officer.account.login, "reopen", officer.scope.code,
                    address=address(request))
    return _back(officer, month, "mo-lai", applied)


@router.get("/don-vi/{unit_code}/data-docs/{path:path}")
def data_docs(request: Request, unit_code: str, path: str) -> Response:
    """The level's GX Data Docs site, to the officers of that scope only."""
    officer = officer_for(request, unit_code)
    level = report_desk.level_of(officer.at_province)
    settings = desk_of(request).settings
    if report_desk.data_docs_site(settings, level) is None:
        return officer_page(request, officer, "datadocs_missing.html", open_month(request),
                            status=404)
    found = report_desk.data_docs_file(settings, level, path)
    if found is None:
        raise NotFound
    return FileResponse(found, headers={"content-security-policy": DATA_DOCS_CSP})
