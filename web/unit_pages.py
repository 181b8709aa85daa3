"""The officers' pages of one unit of the district's month: a cell's page (with its
annotated workbooks), the month's findings by rule, and where a figure comes from.

Each route asks ``officer_for`` first (web/common.py): a cell's account, another district's
officer or a province's officer on the province's own scope find nothing here (404). What
a page shows comes from services/unit_desk.py; names and dates of birth only for the
district's own officer (``officer.may_act``), never for the province's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from services import accounts, unit_desk
from web.common import XLSX, NotFound, Officer, address, desk_of, month_or_404, officer_for
from web.officer import officer_page

router = APIRouter()
Text = Annotated[str | None, Query()]


def district_officer(request: Request, unit_code: str) -> Officer:
    """The officer on one of the district's pages (the province's board is another page:
    its scope has no cells here)."""
    officer = officer_for(request, unit_code)
    if officer.at_province:
        raise NotFound
    return officer


@router.get("/don-vi/{unit_code}/{period}/chi-bo/{cell_code}", response_class=HTMLResponse)
def cell_page(request: Request, unit_code: str, period: str, cell_code: str) -> Response:
    officer = district_officer(request, unit_code)
    month = month_or_404(period)
    desk = desk_of(request)
    try:
        shown = unit_desk.cell_page(desk.settings, desk.registry, officer.scope, cell_code,
                                    month, names=officer.may_act)
    except unit_desk.NotInDistrict:
        raise NotFound from None
    return officer_page(request, officer, "unit.html", month, cell=shown, zone=desk.zone,
                        channels=unit_desk.CHANNEL_LABELS, statuses=unit_desk.STATUS_LABELS)


@router.get("/don-vi/{unit_code}/{period}/chi-bo/{cell_code}/phan-hoi/{submission_id}")
def feedback(request: Request, unit_code: str, period: str, cell_code: str,
             submission_id: int) -> Response:
    """A cell's annotated workbook: its whole roster, names included, so the district's
    own officer only."""
    officer = district_officer(request, unit_code)
    month_or_404(period)
    if not officer.may_act:
        raise NotFound
    desk = desk_of(request)
    try:
        path = unit_desk.feedback_workbook(desk.settings, desk.registry, officer.scope,
                                           cell_code, submission_id)
    except unit_desk.NotInDistrict:
        raise NotFound from None
    if path is None:
        raise NotFound
    accounts.record(desk.settings, officer.account.login, "download", cell_code,
                    submission_id, address(request))
    return FileResponse(path, filename=path.name, media_type=XLSX)


@router.get("/don-vi/{unit_code}/{period}/loi", response_class=HTMLResponse)
def rules(request: Request, unit_code: str, period: str) -> Response:
    officer = district_officer(request, unit_code)
    month = month_or_404(period)
    desk = desk_of(request)
    found = unit_desk.rules_of_month(desk.settings, desk.registry, officer.scope, month,
                                     names=officer.may_act)
    return officer_page(request, officer, "rules.html", month, found=found)


@router.get("/don-vi/{unit_code}/{period}/giai-thich", response_class=HTMLResponse)
def explain(request: Request, unit_code: str, period: str, don_vi: Text = None,
            chi_tieu: Text = None, doi_tuong: Text = None, phan_loai: Text = None,
            ) -> Response:
    """One figure's sources; without an indicator, only the picker."""
    officer = district_officer(request, unit_code)
    month = month_or_404(period)
    desk = desk_of(request)
    wanted = (don_vi or officer.scope.code, (chi_tieu or "").strip().upper(),
              doi_tuong or "hoc_sinh", phan_loai or "tong")
    choices = unit_desk.figure_choices(desk.registry, officer.scope, month)
    found, problem = None, None
    try:
        unit_desk.figure_unit(desk.registry, officer.scope, wanted[0])
        if wanted[1]:
            found = unit_desk.explain_figure(desk.settings, desk.registry, officer.scope,
                                             wanted[0], month, wanted[2], wanted[1],
                                             wanted[3], names=officer.may_act)
    except unit_desk.NotInDistrict:
        raise NotFound from None
    except unit_desk.NoSuchFigure as error:
        problem = str(error)
    return officer_page(request, officer, "explain.html", month, 400 if problem else 200,
                        found=found, problem=problem, choices=choices, wanted=wanted,
                        zone=desk.zone)
