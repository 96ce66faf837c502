"""Pages of the check-in desk: the phone scanner (with its service worker), the live board, the
printable sign-in sheet and venue poster, the XLSX export, and the attendees' self check-in.

Scans go through the JSON API (`api.create_checkin`); the scanner's own JSON helpers (search,
walk-in, board numbers) live here, under the same session and CSRF rules.
"""
from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import role_required
from ..auth.identity import SESSION_INVITATION_KEY
from ..auth.rights import refusal
from ..directory.services import search_organizations
from ..errors import ApiError, handle_api_error, json_error, validation_error
from ..expired_session import keeps_input
from ..extensions import db
from ..invitations.views import PERSONAL_HEADERS
from ..links import base_url
from ..models import KIND_LABELS, Invitation, Workshop
from ..office import download
from ..phases import has_ended
from ..qr import qr_svg
from ..ratelimit import holder_limits, session_holder
from ..timeutil import as_local, isoformat, utcnow
from . import desk, self_checkin, services
from .forms import SelfCheckInForm, WalkInForm
from .schemas import SCAN_STATUS, attendee, scan_body

bp = Blueprint("checkin", __name__, url_prefix="/workshops")
SELF_OK = ("checked_in", "already_checked_in")
bp.register_error_handler(ApiError, handle_api_error)

# What the scanner page loads; the service worker keeps these and every module they import,
# so that the page reloads without network.
SCANNER_ASSETS = ("css/app.css", "vendor/jsqr/jsQR.min.js", "js/app.js", "js/scanner/main.js")


def _workshop(code: str) -> Workshop:
    return db.first_or_404(select(Workshop).where(Workshop.code == code))


def staff_json(view: Callable) -> Callable:
    """Role check for the JSON the scanner and board scripts call: a lapsed sign-in answers 401
    in the API's error shape rather than the login page, so the script can say so."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not current_user.is_authenticated:
            return json_error(401, "unauthorized", _("Vui lòng đăng nhập."))
        if not current_user.has_role("staff"):
            return json_error(403, "forbidden", _("Tài khoản không có quyền thực hiện thao tác này."))
        message = refusal(current_user, "staff", kwargs)
        if message is not None:
            return json_error(403, "forbidden", message)
        return view(**kwargs)

    return wrapped


# --- the scanner -------------------------------------------------------------------------


def _scanner_messages() -> dict[str, str]:
    """The scanner script's words, translated here: `{time}`, `{present}`… are filled in by it."""
    return {
        "checked_in": _("ĐÃ ĐIỂM DANH"),
        "already_checked_in": _("ĐÃ ĐIỂM DANH LÚC %(time)s", time="{time}"),
        "unknown": _("MÃ KHÔNG HỢP LỆ"),
        "other_workshop": _("GIẤY MỜI CỦA HỘI THẢO KHÁC"),
        "workshop_ended": _("HỘI THẢO ĐÃ KẾT THÚC"),
        "replaced": _("Giấy mời đã chuyển cho người dự thay: %(name)s", name="{name}"),
        "replaced_new": _("Giấy mời này đã được thay bằng giấy mời mới."),
        "queued": _("ĐÃ LƯU, CHỜ GỬI"),
        "queued_help": _("Lượt quét sẽ tự gửi khi có mạng."),
        "revoked": _("GIẤY MỜI KHÔNG CÒN HIỆU LỰC"),
        "undone": _("ĐÃ HỦY ĐIỂM DANH"),
        "invalid": _("MÃ KHÔNG HỢP LỆ"),
        "deputy": _("Người dự thay cho %(name)s", name="{name}"),
        "walk_in": _("Đại biểu đến trực tiếp (không có giấy mời)"),
        "counter": _("Có mặt %(present)s/%(expected)s", present="{present}", expected="{expected}"),
        "extra": _("+ %(walk_ins)s đến trực tiếp, %(unannounced)s chưa đăng ký trước",
                   walk_ins="{walk_ins}", unannounced="{unannounced}"),
        "waiting": _("%(count)s lượt chờ gửi", count="{count}"),
        "offline": _("Mất kết nối"),
        "signed_out": _("Phiên đăng nhập đã hết hạn: đăng nhập lại để gửi các lượt quét đang chờ."),
        "synced": _("Đã gửi %(count)s lượt quét đang chờ.", count="{count}"),
        "at": _("lúc %(time)s", time="{time}"),
        "check_in": _("Điểm danh"),
        "no_match": _("Không tìm thấy đại biểu phù hợp."),
        "search_offline": _("Mất kết nối: chưa tìm được. Hãy nhập mã in trên giấy mời."),
        "walk_in_offline": _("Mất kết nối: chưa đăng ký được. Vui lòng thử lại khi có mạng."),
        "undo_confirm": _("Hủy điểm danh của %(name)s?", name="{name}"),
        "undo_failed": _("Chưa hủy được. Vui lòng thử lại."),
        "camera_denied": _("Chưa được phép dùng camera. Hãy cho phép trong cài đặt trình duyệt, "
                           "hoặc nhập mã bên dưới."),
        "camera_missing": _("Không mở được camera của máy. Hãy nhập mã hoặc tìm theo tên bên dưới."),
        "camera_insecure": _("Camera chỉ hoạt động khi trang được mở qua HTTPS. "
                             "Hãy nhập mã hoặc tìm theo tên bên dưới."),
    }


@bp.get("/<code>/scan/")
@role_required("staff")
def scanner(code: str):
    workshop = _workshop(code)
    numbers = services.attendance(workshop)
    return render_template(
        "checkin/scanner.html", workshop=workshop, numbers=numbers,
        walk_in_form=WalkInForm(), agencies=search_organizations(),
        messages=_scanner_messages(), kinds=KIND_LABELS,
    )


def _scanner_assets() -> list[str]:
    return current_app.extensions["assets"].with_imports(*SCANNER_ASSETS)


def _asset_version() -> str:
    """Changes when any cached asset changes, so that phones replace their copies: their
    hashed names say it (workshop/assets.py)."""
    names = " ".join(url_for("static", filename=asset) for asset in _scanner_assets())
    return hashlib.sha256(names.encode()).hexdigest()[:12]


@bp.get("/<code>/scan/sw.js")
@role_required("staff")
def service_worker(code: str):
    """The scanner's service worker; its scope (this folder) covers the scanner page."""
    workshop = _workshop(code)
    body = render_template(
        "checkin/sw.js", cache=f"checkin-{workshop.code}-{_asset_version()}",
        cache_prefix=f"checkin-{workshop.code}-",
        page=url_for(".scanner", code=workshop.code),
        assets=[url_for("static", filename=asset) for asset in _scanner_assets()],
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def search_item(invitation: Invitation) -> dict:
    """A search result: who, and the short code the scanner sends to check them in."""
    checkin = invitation.checkin
    return {**attendee(invitation), "short_code": invitation.short_code,
            "status_label": invitation.status_label,
            "checked_in_at": isoformat(checkin.checked_in_at) if checkin else None}


@bp.get("/<code>/scan/search")
@staff_json
def search(code: str):
    """Invitations by name, deputy or agency without accents: the scanner's fallback."""
    found = desk.search_invitations(_workshop(code), request.args.get("q", ""))
    return {"items": [search_item(invitation) for invitation in found]}


@bp.post("/<code>/scan/walk-in")
@staff_json
def walk_in(code: str):
    """Register a walk-in and check them in at once; answers like a scan."""
    workshop = _workshop(code)
    form = WalkInForm()
    if not form.validate():
        raise validation_error(form.errors)
    organization_id = form.organization_id.data
    answer = services.register_walk_in(
        workshop, form.name.data, form.title.data or None,
        int(organization_id) if organization_id else None, staff=current_user._get_current_object(),
    )
    return jsonify(scan_body(answer)), SCAN_STATUS.get(answer.result, 200)


# --- the board, the sheet, the export, the poster ----------------------------------------


def board_data(workshop: Workshop) -> dict:
    """Everything the board shows, as the page renders it and as its script refreshes it."""
    numbers = services.attendance(workshop)
    return {
        **numbers.as_dict(),
        "kinds": [{"kind": kind, "label": counts.label, **counts.as_dict()}
                  for kind, counts in numbers.kinds.items()],
        "absent": [{"name": organization.name, "kind_label": organization.kind_label}
                   for organization in numbers.absent],
        "recent": [{**attendee(checkin.invitation), "time": isoformat(checkin.checked_in_at),
                    "method": checkin.method,
                    "method_label": str(desk.METHOD_LABELS.get(checkin.method, checkin.method))}
                   for checkin in desk.recent_arrivals(workshop)],
    }


@bp.get("/<code>/board")
@role_required("staff")
def board(code: str):
    workshop = _workshop(code)
    return render_template("checkin/board.html", workshop=workshop, data=board_data(workshop))


@bp.get("/<code>/board.json")
@staff_json
def board_json(code: str):
    """The board's numbers; answers 304 to `If-None-Match` while nothing has changed."""
    workshop = _workshop(code)
    version = desk.board_etag(desk.board_version(workshop), str(get_locale()))
    if version in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify(board_data(workshop))
    response.set_etag(version)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<code>/sign-in-sheet")
@role_required("staff")
def sign_in_sheet(code: str):
    workshop = _workshop(code)
    return render_template("checkin/sheet.html", workshop=workshop,
                           groups=desk.sign_in_sheet(workshop), blank_rows=range(10))


@bp.get("/<code>/attendance.xlsx")
@role_required("staff")
def attendance_xlsx(code: str):
    workshop = _workshop(code)
    return download(desk.attendance_xlsx(workshop), f"diem-danh-{workshop.code}.xlsx")


def self_check_in_url(workshop: Workshop, secret: str) -> str:
    return base_url() + url_for(".self_check_in", code=workshop.code, k=secret)


def _poster_day(workshop: Workshop, asked: str | None) -> date:
    """The day a printed poster is valid on: the one asked for, else today when it is one of
    the workshop's days, else its first day."""
    days = self_checkin.workshop_days(workshop)
    today = as_local(utcnow()).date()
    for day in days:
        if day.isoformat() == asked:
            return day
    return today if today in days else days[0]


@bp.get("/<code>/poster")
@role_required("staff")
def poster(code: str):
    """The venue poster: printed (A4/A3, valid on its day) or shown on a screen at the door
    (`?screen=1`, its QR code changes every few minutes)."""
    workshop = _workshop(code)
    if request.args.get("screen"):
        return render_template("checkin/poster.html", workshop=workshop, screen=True, size="a4",
                               url=self_check_in_url(workshop, self_checkin.screen_secret(workshop)),
                               qr_src=url_for(".poster_qr", code=workshop.code,
                                              w=self_checkin.door_window()),
                               days=[], day=None)
    size = "a3" if request.args.get("size") == "a3" else "a4"
    day = _poster_day(workshop, request.args.get("day"))
    url = self_check_in_url(workshop, self_checkin.day_secret(workshop, day))
    # Our own SVG of our own URL: no user text inside.
    return render_template("checkin/poster.html", workshop=workshop, url=url, size=size,
                           qr=qr_svg(url), screen=False, day=day,
                           days=self_checkin.workshop_days(workshop))


@bp.get("/<code>/poster/qr.svg")
@role_required("staff")
def poster_qr(code: str):
    """The screen poster's QR code for the current window (the page reloads it)."""
    workshop = _workshop(code)
    svg = qr_svg(self_check_in_url(workshop, self_checkin.screen_secret(workshop)))
    response = Response(str(svg), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<code>/poster.json")
@staff_json
def poster_json(code: str):
    """What the screen poster's script polls: the current link and its QR image."""
    workshop = _workshop(code)
    response = jsonify({
        "url": self_check_in_url(workshop, self_checkin.screen_secret(workshop)),
        "qr": url_for(".poster_qr", code=workshop.code, w=self_checkin.door_window()),
        "refresh_seconds": 20,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


# --- self check-in (public) --------------------------------------------------------------


# Self check-in from the poster: a phone that opened its personal link spends its own budget; a
# phone without one (no valid token in the session) counts against the address.
_self_check_in_limits = holder_limits("self-check-in", session_holder(SESSION_INVITATION_KEY),
                                      per_holder="60 per minute", per_address="60 per minute",
                                      methods=["POST"])


@bp.route("/<code>/self-checkin", methods=["GET", "POST"])
@_self_check_in_limits
@keeps_input
def self_check_in(code: str):
    """The poster's page: one tap checks in the attendee whose browser opened their personal
    link, and only with the secret of the poster at the door (`k`). Nobody else, no typed code.

    The personal page (`invitations.personal`) keeps its link token in the session."""
    workshop = _workshop(code)
    invitation = self_checkin.session_invitation(workshop, session.get(SESSION_INVITATION_KEY))
    form = SelfCheckInForm()
    answer = None
    secret = request.args.get("k")
    if form.validate_on_submit():
        secret = form.k.data or secret
        answer = self_checkin.self_check_in(workshop, invitation, secret,
                                            client_id=form.client_id.data or None)
    form.k.data = secret
    form.client_id.data = uuid.uuid4().hex  # the next submission is a new one
    status = 409 if answer is not None and answer.result not in SELF_OK else 200
    response = make_response(render_template(
        "checkin/self.html", workshop=workshop, form=form, answer=answer, invitation=invitation,
        open=self_checkin.self_check_in_open(workshop), ended=has_ended(workshop),
        at_door=self_checkin.door_secret_valid(workshop, secret),
        person=attendee(answer.invitation) if answer and answer.invitation else None,
    ), status)
    response.headers.update(PERSONAL_HEADERS)  # the address carries the door's secret
    return response
