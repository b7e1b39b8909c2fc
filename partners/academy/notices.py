"""What the academy tells people, through the notification centre (prm.core.notifications).

Titles are lazy: each recipient reads them in their own language, course titles included."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.bilingual import pick
from prm.core.notifications import notify

from .models import Certificate

MY_CERTIFICATES = "/portal/academy/certificates/"
TEAM = "/portal/academy/team/"

lazy_pick = lazy(pick, str)


def _course(certificate: Certificate) -> object:
    return lazy_pick(certificate.course_title, certificate.course_title_en)


def _partner_admins(certificate: Certificate) -> Iterable[User]:
    if certificate.partner_id is None:
        return []
    return User.objects.filter(
        Q(partner_id=certificate.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    ).exclude(pk=certificate.user_id)


def certificate_issued(certificate: Certificate) -> None:
    notify(
        recipients=[certificate.user],
        kind="academy.certified",
        title=format_lazy(
            gettext_lazy("Certificate issued: {course}"), course=_course(certificate)
        ),
        body=format_lazy(
            gettext_lazy("Verification code {code}. {validity}"),
            code=certificate.display_code,
            validity=_validity(certificate.expires_on),
        ),
        url=MY_CERTIFICATES,
    )


def _validity(expires_on: date | None) -> object:
    if expires_on is None:
        return gettext_lazy("It does not expire.")
    return format_lazy(gettext_lazy("It expires on {date}."), date=expires_on.isoformat())


def certificate_expiring(certificate: Certificate, days: int) -> None:
    """`days` before it expires: the holder, and the admins of the holder's company."""
    assert certificate.expires_on is not None
    day = certificate.expires_on.isoformat()
    notify(
        recipients=[certificate.user],
        kind="academy.expiring",
        title=format_lazy(
            gettext_lazy("Your certificate “{course}” expires on {date}"),
            course=_course(certificate),
            date=day,
        ),
        body=format_lazy(
            gettext_lazy(
                "{days} days left. Once it has expired, take the course again (lessons and "
                "quiz) to be certified anew."
            ),
            days=days,
        ),
        url=MY_CERTIFICATES,
    )
    notify(
        recipients=_partner_admins(certificate),
        kind="academy.expiring",
        title=format_lazy(
            gettext_lazy("{name}'s certificate “{course}” expires on {date}"),
            name=certificate.holder_name,
            course=_course(certificate),
            date=day,
        ),
        url=TEAM,
    )


def certificate_expired(certificate: Certificate, *, retake: bool = True) -> None:
    """`retake`: the course is still offered to the holder (else no "take it again")."""
    assert certificate.expires_on is not None
    day = certificate.expires_on.isoformat()
    notify(
        recipients=[certificate.user],
        kind="academy.expired",
        title=format_lazy(
            gettext_lazy("Your certificate “{course}” expired on {date}"),
            course=_course(certificate),
            date=day,
        ),
        body=(
            gettext_lazy("Take the course again (lessons and quiz) to be certified anew.")
            if retake
            else ""
        ),
        url=MY_CERTIFICATES,
    )
    notify(
        recipients=_partner_admins(certificate),
        kind="academy.expired",
        title=format_lazy(
            gettext_lazy("{name}'s certificate “{course}” expired on {date}"),
            name=certificate.holder_name,
            course=_course(certificate),
            date=day,
        ),
        url=TEAM,
    )
