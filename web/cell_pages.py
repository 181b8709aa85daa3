"""The cells' pages: the month's form, upload, the verdict and the annotated workbook.

Every route answers only about the signed-in cell's own unit (``signed_in``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from core.limits import DEFAULT_LIMITS
from core.periods import InvalidPeriod, parse_period
from core.registry import Unit
from services import accounts, cell_desk
from services.uploads import Upload
from web.common import XLSX, NotFound, address, check_csrf, desk_of, page, signed_in

# what a cell may upload: the form's workbook as Excel or LibreOffice saves it
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

router = APIRouter()


def cell_home(request: Request) -> Response:
    """The cell's page: its months, the upload form, its submissions."""
    account, unit = signed_in(request)
    desk = desk_of(request)
    today = desk.now().date()
    return page(request, "home.html", unit=unit, account=account,
                months=cell_desk.months(desk.settings, desk.registry, unit, today),
                submissions=cell_desk.submissions(desk.settings, unit.code),
                last=cell_desk.last_accepted(desk.settings, unit, today),
                zone=desk.zone, accepted=", ".join(ACCEPTED_SUFFIXES),
                max_mib=DEFAULT_LIMITS.max_file_bytes // (1024 * 1024))


@router.get("/bieu-mau/{period}")
def blank_form(request: Request, period: str) -> Response:
    account, unit = signed_in(request)
    try:
        month = parse_period(period)
    except InvalidPeriod:
        raise NotFound from None
    if not unit.active_in(month):
        raise NotFound
    content, name = cell_desk.blank_form(unit, month)
    accounts.record(desk_of(request).settings, account.login, "form", unit.code,
                    address=address(request))
    return Response(content, media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.post("/nop")
def upload(request: Request, file: Annotated[UploadFile, File()],
           csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    account, unit = signed_in(request)
    check_csrf(request, csrf)
    desk = desk_of(request)
    name = file.filename or ""
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        return refused(request, unit, "Tệp này không phải bảng tính của biểu mẫu. Đồng chí "
                       "gửi tệp Excel (.xlsx, .xls) hoặc LibreOffice (.ods) của biểu mẫu "
                       "BC-PTĐ-HS/1.")
    content = file.file.read(DEFAULT_LIMITS.max_file_bytes + 1)
    if not content:
        return refused(request, unit, "Tệp rỗng: không có nội dung nào được gửi lên.")
    taken = desk.intake.take(Upload(unit.code, name, content, desk.now()))
    accounts.record(desk.settings, account.login, "upload", unit.code, taken.submission_id,
                    address(request))
    return RedirectResponse(f"/ket-qua/{taken.submission_id}", status_code=303)


def refused(request: Request, unit: Unit, text: str) -> Response:
    return page(request, "error.html", 400, heading="Không nhận tệp", text=text, unit=unit)


@router.get("/ket-qua/{submission_id}", response_class=HTMLResponse)
def result(request: Request, submission_id: int) -> Response:
    _account, unit = signed_in(request)
    desk = desk_of(request)
    found = cell_desk.submission(desk.settings, unit.code, submission_id)
    if found is None:
        raise NotFound
    view, findings = found
    has_file = cell_desk.feedback_file(desk.settings, unit.code, submission_id) is not None
    return page(request, "result.html", unit=unit, sub=view, findings=findings,
                zone=desk.zone, feedback=has_file)


@router.get("/ket-qua/{submission_id}/tep")
def feedback(request: Request, submission_id: int) -> Response:
    account, unit = signed_in(request)
    desk = desk_of(request)
    path = cell_desk.feedback_file(desk.settings, unit.code, submission_id)
    if path is None:
        raise NotFound
    accounts.record(desk.settings, account.login, "download", unit.code, submission_id,
                    address(request))
    return FileResponse(path, filename=path.name, media_type=XLSX)
