"""The province's board (issue 19, page 7): ``/tinh/<province>/<YYYY-MM>`` for the
``province`` role of that province, and the provincial report's files of the month
(``…/tep/<name>``). What it shows comes from services/province_desk.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from core.layout import INDICATORS
from services import province_desk
from web.common import MEDIA_TYPES, NotFound, Officer, desk_of, month_or_404, officer_for
from web.officer import officer_page

router = APIRouter()


def province_officer(request: Request, province: str) -> Officer:
    """The province's officer on its own board; any other account finds nothing (a
    district officer too, even of one of its districts)."""
    officer = officer_for(request, province)
    if not officer.at_province:
        raise NotFound
    return officer


def district_board(request: Request, period: str) -> str | None:
    """The board of the district this desk serves, when the officer may read it."""
    district = desk_of(request).district
    try:
        officer_for(request, district.code)
    except NotFound:
        return None
    return f"/don-vi/{district.code}/{period}"


@router.get("/tinh/{province}/{period}", response_class=HTMLResponse)
def province_board(request: Request, province: str, period: str) -> Response:
    officer = province_officer(request, province)
    period = month_or_404(period)
    desk = desk_of(request)
    registry, _code = desk.province()
    found = province_desk.board(desk.settings, registry, officer.scope.code, period,
                                desk.now())
    return officer_page(request, officer, "province.html", period, board=found,
                        indicators=INDICATORS, district=desk.district,
                        district_url=district_board(request, period))


@router.get("/tinh/{province}/{period}/tep/{name}")
def province_file(request: Request, province: str, period: str, name: str) -> Response:
    officer = province_officer(request, province)
    period = month_or_404(period)
    path = province_desk.report_file(desk_of(request).settings, officer.scope.code, period,
                                     name)
    if path is None:
        raise NotFound
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix,
                                                         "application/octet-stream"),
                        filename=path.name)
