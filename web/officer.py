"""What the officers' pages share: where each page of a scope lives, the navigation, and
the page renderer that puts the officer and the month into every template.

URLs: ``/don-vi/<unit>/<YYYY-MM>/…`` for a district's (commune's) month,
``/tinh/<province>/<YYYY-MM>`` for the province's board. Each route first calls
``officer_for`` (web/common.py): a page of a unit the account may not see is a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.periods import period_of
from web.common import NotFound, Officer, desk_of, officer_for, page

router = APIRouter()


def open_month(request: Request) -> str:
    """The month that is open today (the board's default)."""
    return period_of(desk_of(request).now().date())


def board_url(officer: Officer, period: str) -> str:
    if officer.at_province:
        return f"/tinh/{officer.scope.code}/{period}"
    return f"/don-vi/{officer.scope.code}/{period}"


def nav(officer: Officer, period: str) -> list[tuple[str, str]]:
    """The officer's menu on a month's pages: (label, url)."""
    base = f"/don-vi/{officer.scope.code}/{period}"
    if officer.at_province:
        return [("Bảng theo dõi của tỉnh", board_url(officer, period)),
                ("Báo cáo", f"{base}/bao-cao")]
    return [("Bảng theo dõi", base), ("Lỗi theo quy tắc", f"{base}/loi"),
            ("Báo cáo và phê duyệt", f"{base}/bao-cao")]


def officer_page(request: Request, officer: Officer, name: str, period: str,
                 status: int = 200, **context: Any) -> HTMLResponse:
    """A page of ``officer``'s scope and month: the header shows the scope and the menu."""
    return page(request, name, status, officer=officer, unit=officer.scope, period=period,
                month_label=f"{period[5:]}/{period[:4]}", nav=nav(officer, period),
                base=f"/don-vi/{officer.scope.code}/{period}", explain_url=explain_url,
                unit_url=unit_url, **context)


@router.get("/don-vi/{unit_code}", response_class=HTMLResponse)
def district_now(request: Request, unit_code: str) -> Response:
    officer = officer_for(request, unit_code)
    return RedirectResponse(board_url(officer, open_month(request)), status_code=303)


@router.get("/tinh/{unit_code}", response_class=HTMLResponse)
def province_now(request: Request, unit_code: str) -> Response:
    officer = officer_for(request, unit_code)
    if not officer.at_province:
        raise NotFound
    return RedirectResponse(board_url(officer, open_month(request)), status_code=303)


def explain_url(officer: Officer, period: str, unit_code: str, indicator: str,
                population: str = "hoc_sinh", breakdown: str = "tong") -> str:
    """Where a figure (unit × indicator × population × breakdown) is explained."""
    return (f"/don-vi/{officer.scope.code}/{period}/giai-thich?don_vi={unit_code}"
            f"&chi_tieu={indicator}&doi_tuong={population}&phan_loai={breakdown}")


def unit_url(officer: Officer, period: str, unit_code: str) -> str:
    """A reporting unit's page in the month (a cell at the district)."""
    return f"/don-vi/{officer.scope.code}/{period}/chi-bo/{unit_code}"
