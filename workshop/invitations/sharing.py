"""The short formal text an organizer sends by Zalo or SMS with the personal link."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ..links import base_url, personal_url
from ..models import Invitation
from ..timeutil import local_time, long_date


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


def deputy_pass_url(invitation: Invitation) -> str:
    """The deputy's own pass as an image: the pass token opens nothing but the pass."""
    return f"{base_url()}/pass/{invitation.pass_token}.png"


def deputy_message(invitation: Invitation) -> str:
    """The text the invitee (or the organizer) sends the approved deputy by Zalo or SMS: the
    workshop, and the deputy's own pass to show at the door. In Vietnamese, like the letter."""
    workshop = invitation.workshop
    with force_locale("vi"):
        return _("Kính gửi ông/bà %(deputy)s: ông/bà được cử dự %(title)s thay ông/bà %(name)s, "
                 "lúc %(time)s %(date)s tại %(venue)s. Thẻ vào hội trường của ông/bà (xuất trình "
                 "mã QR tại bàn đón tiếp): %(link)s",
                 deputy=invitation.delegate_name, title=workshop.title, name=invitation.name,
                 time=local_time(workshop.starts_at), date=str(long_date(workshop.starts_at)),
                 venue=workshop.venue, link=deputy_pass_url(invitation))
