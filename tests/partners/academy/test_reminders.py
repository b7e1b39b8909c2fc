"""The daily job: 30 and 7 days before a certificate expires its holder and the company's admins
are reminded, each reminder once; on the day it expires it is noted once and the enrollment
starts its next cycle. Running a day twice sends nothing more."""

from __future__ import annotations

from datetime import date

import pytest

from partners.academy.courses import course_archive
from partners.academy.models import Certificate, Enrollment
from partners.academy.tasks import academy_daily
from prm.accounts.models import User
from prm.core.models import Notification

from .builders import certify

pytestmark = pytest.mark.django_db


def _notes(kind: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__full_name", "title")
    )


def test_each_reminder_goes_once_and_a_rerun_sends_nothing(world):
    User.objects.filter(pk__in=[world["learner"].pk, world["admin"].pk]).update(language="en")
    certificate = certify(world["learner"], world["course"])  # expires 2027-12-06
    title_en = world["course"].title_en

    runs = [
        ("2027-11-05", academy_daily(day="2027-11-05")),  # 31 days left
        ("2027-11-06", academy_daily(day="2027-11-06")),  # 30 days
        ("2027-11-06", academy_daily(day="2027-11-06")),
        ("2027-11-07", academy_daily(day="2027-11-07")),
        ("2027-11-29", academy_daily(day="2027-11-29")),  # 7 days
        ("2027-11-29", academy_daily(day="2027-11-29")),
        ("2027-12-05", academy_daily(day="2027-12-05")),
    ]

    assert [(day, result["reminded"]) for day, result in runs] == [
        ("2027-11-05", 0),
        ("2027-11-06", 1),
        ("2027-11-06", 0),
        ("2027-11-07", 0),
        ("2027-11-29", 1),
        ("2027-11-29", 0),
        ("2027-12-05", 0),
    ]
    certificate.refresh_from_db()
    assert (certificate.reminded_30_on, certificate.reminded_7_on) == (
        date(2027, 11, 6),
        date(2027, 11, 29),
    )
    holder = ("吴芳", f"Your certificate “{title_en}” expires on 2027-12-06")
    admin = ("周强", f"吴芳's certificate “{title_en}” expires on 2027-12-06")
    assert _notes("academy.expiring") == [holder, holder, admin, admin]
    assert not Notification.objects.filter(recipient=world["outsider"]).exists()


def test_the_expiry_is_noted_once_and_the_next_cycle_starts(world):
    certificate = certify(world["learner"], world["course"])

    before = academy_daily(day="2027-12-05")
    on_the_day = academy_daily(day="2027-12-06")
    again = academy_daily(day="2027-12-06")
    later = academy_daily(day="2027-12-07")

    assert [before["expired"], on_the_day["expired"], again["expired"], later["expired"]] == [
        0,
        1,
        0,
        0,
    ]
    certificate.refresh_from_db()
    assert certificate.expiry_noted_on == date(2027, 12, 6)
    assert Enrollment.objects.get(user=world["learner"]).cycle == 2
    assert sorted(
        Notification.objects.filter(kind="academy.expired").values_list(
            "recipient__full_name", flat=True
        )
    ) == ["吴芳", "周强"]


def test_only_the_latest_certificate_of_a_course_is_reminded_about(world, today):
    first = certify(world["learner"], world["course"])
    today["day"] = date(2027, 12, 6)
    second = certify(world["learner"], world["course"])  # re-certified after expiry

    result = academy_daily(day="2027-12-06")

    assert result == {"reminded": 0, "expired": 0, "certified": 0}
    assert Certificate.objects.get(pk=first.pk).expiry_noted_on is None
    assert second.expires_on == date(2028, 12, 6)


def test_an_archived_course_gets_no_reminders_and_no_invitation_to_retake(world):
    certificate = certify(world["learner"], world["course"])
    course_archive(world["course"])

    reminded = [academy_daily(day=day)["reminded"] for day in ("2027-11-06", "2027-11-29")]
    expired = academy_daily(day="2027-12-06")["expired"]

    assert (reminded, expired) == ([0, 0], 1)
    assert not Notification.objects.filter(kind="academy.expiring").exists()
    assert sorted(
        Notification.objects.filter(kind="academy.expired").values_list(
            "recipient__full_name", "body"
        )
    ) == [("吴芳", ""), ("周强", "")]
    assert Certificate.objects.get(pk=certificate.pk).expiry_noted_on == date(2027, 12, 6)


def test_a_course_no_longer_assigned_gets_no_reminders(world):
    certify(world["learner"], world["course"])
    world["path"].items.all().delete()  # off the learning path

    reminded = [academy_daily(day=day)["reminded"] for day in ("2027-11-06", "2027-11-29")]
    academy_daily(day="2027-12-06")

    assert reminded == [0, 0]
    assert list(
        Notification.objects.filter(kind="academy.expired", recipient=world["learner"]).values_list(
            "body", flat=True
        )
    ) == [""]


def test_a_course_still_offered_invites_to_take_it_again(world):
    User.objects.filter(pk=world["learner"].pk).update(language="en")
    certify(world["learner"], world["course"])

    academy_daily(day="2027-12-06")

    assert list(
        Notification.objects.filter(kind="academy.expired", recipient=world["learner"]).values_list(
            "body", flat=True
        )
    ) == ["Take the course again (lessons and quiz) to be certified anew."]
