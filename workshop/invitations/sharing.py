"""The short formal texts sent with a link: the invitee's by Zalo or SMS, the approved deputy's
by Zalo, SMS or e-mail."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..links import base_url, personal_url
from ..models import DeputyNomination, Invitation
from ..timeutil import local_time, long_date

if TYPE_CHECKING:
    from .page import PageInvitation


def share_message(invitation: Invitation) -> str:
    """The short formal text an organizer pastes into Zalo or an SMS, with the personal link.

    Always in Vietnamese, whatever the organizer's interface language: it goes to the invitee.
    """
    workshop = invitation.workshop
    host = workshop.host_organization
    with force_locale("vi"):
        values = {
            "name": invitation.name,
            "title": workshop.title,
            "time": local_time(workshop.starts_at),
            "date": str(long_date(workshop.starts_at)),
            "venue": workshop.venue,
            "link": personal_url(invitation),
        }
        if host is None:
            return _("Kính mời ông/bà %(name)s dự %(title)s lúc %(time)s %(date)s tại %(venue)s. "
                     "Xác nhận tham dự và nhận thẻ vào hội trường: %(link)s", **values)
        return _("%(host)s trân trọng kính mời ông/bà %(name)s dự %(title)s lúc %(time)s %(date)s "
                 "tại %(venue)s. Xác nhận tham dự và nhận thẻ vào hội trường: %(link)s",
                 host=host.name, **values)


def deputy_pass_url(pass_token: str) -> str:
    """The deputy's own pass, as the personal page shows it (the QR, the short code, their name,
    whom they stand in for, the seat). The pass token opens nothing but the pass: the deputy
    never gets the invitee's link, which answers, asks questions and changes the deputy."""
    return f"{base_url()}/pass/{pass_token}"


def deputy_message(invitation: Invitation | PageInvitation) -> str:
    """The text the invitee (or the organizer) sends the approved deputy by Zalo or SMS: the
    workshop, and the deputy's own pass to show at the door. In Vietnamese, like the letter."""
    workshop = invitation.workshop
    with force_locale("vi"):
        return _("Kính gửi ông/bà %(deputy)s: ông/bà được cử dự %(title)s thay ông/bà %(name)s, "
                 "lúc %(time)s %(date)s tại %(venue)s. Thẻ vào hội trường của ông/bà (xuất trình "
                 "mã QR tại bàn đón tiếp): %(link)s",
                 deputy=invitation.delegate_name, title=workshop.title, name=invitation.name,
                 time=local_time(workshop.starts_at), date=str(long_date(workshop.starts_at)),
                 venue=workshop.venue, link=deputy_pass_url(invitation.pass_token))


def deputy_pass_mail(invitation: Invitation, nomination: DeputyNomination,
                     pass_token: str) -> tuple[str, str]:
    """The subject and text of the e-mail that brings an approved deputy their own pass. In
    Vietnamese and in the letter's register, whatever the organizer's screen uses; the deputy
    and the pass are given, not read from the invitation, which the caller is changing."""
    workshop = invitation.workshop
    host = workshop.host_organization
    with force_locale("vi"):
        subject = _("Thẻ vào hội trường: %(title)s", title=workshop.title)
        text = render_template(
            "mail/deputy_pass.txt", workshop=workshop, invitation=invitation,
            deputy=nomination, host=host.name if host else _("Ban tổ chức hội thảo"),
            time=local_time(workshop.starts_at), date=long_date(workshop.starts_at),
            link=deputy_pass_url(pass_token))
    return " ".join(subject.split())[:500], text
