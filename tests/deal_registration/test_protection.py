"""Protection periods: expiry, reminders, extensions, and partners that leave."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from deal_registration.models import DealRegistration, DealStatus, ExtensionStatus
from deal_registration.protection import (
    approvals_remind,
    extension_decide,
    extension_request,
    protection_expire,
    protection_remind,
)
from deal_registration.registrations import registration_approve, registration_close
from partners.models import PartnerStatus, ProgramSettings
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.factories import make_user

from .deals import dealer, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(in_a):
    return make_user(Role.ADMIN, email="boss@alpha.test")


def _ends(registration: DealRegistration, days_from_today: int) -> None:
    DealRegistration.objects.filter(pk=registration.pk).update(
        protection_ends=tenant_today() + timedelta(days=days_from_today)
    )


def test_protection_ends_after_its_last_day_and_frees_the_customer(in_a, manager):
    _p, user = dealer()
    ran_out = registration_approve(register(user, customer_name="甲公司"), actor=manager)
    last_day = registration_approve(register(user, customer_name="乙公司"), actor=manager)
    won = registration_approve(register(user, customer_name="丙公司"), actor=manager)
    registration_close(won, actor=user, won=True)
    _ends(ran_out, -1)
    _ends(last_day, 0)
    _ends(won, -1)

    assert protection_expire() == 2
    assert protection_expire() == 0  # idempotent

    rows = dict(
        DealRegistration.objects.filter(partner=user.partner).values_list("customer_name", "status")
    )
    claims = dict(
        DealRegistration.objects.filter(partner=user.partner).values_list(
            "customer_name", "holds_claim"
        )
    )
    assert rows == {"甲公司": "expired", "乙公司": "approved", "丙公司": "won"}
    assert claims == {"甲公司": False, "乙公司": True, "丙公司": False}
    # The freed customer can be taken by another partner now.
    _other, other_user = dealer()
    assert register(other_user, customer_name="甲公司").holds_claim is True


def test_partners_are_reminded_once_before_protection_ends(
    in_a, manager, django_capture_on_commit_callbacks
):
    _p, user = dealer()
    soon = registration_approve(register(user, customer_name="甲公司"), actor=manager)
    later = registration_approve(register(user, customer_name="乙公司"), actor=manager)
    _ends(soon, 14)
    _ends(later, 15)

    with django_capture_on_commit_callbacks(execute=True):
        sent = protection_remind()
    with django_capture_on_commit_callbacks(execute=True):
        again = protection_remind()

    assert (sent, again) == (1, 0)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert f"Protection of {soon.number} (甲公司) ends on" in mail.outbox[0].subject


def test_an_extension_is_asked_once_and_approved_days_are_added(in_a, manager):
    _p, user = dealer()
    registration = registration_approve(register(user), actor=manager)
    registration.refresh_from_db()
    before = registration.protection_ends
    assert before is not None

    with pytest.raises(ValidationError) as too_long:
        extension_request(registration, user=user, days=61, reason="招标延期")
    extension = extension_request(registration, user=user, days=30, reason="招标延期到下季度")
    with pytest.raises(ValidationError) as twice:
        extension_request(registration, user=user, days=10, reason="再延")
    with pytest.raises(ValidationError) as no_note:
        extension_decide(extension, actor=manager, approve=False)
    extension_decide(extension, actor=manager, approve=True)

    registration.refresh_from_db()
    extension.refresh_from_db()
    assert too_long.value.message_dict == {"days": ["Ask for 1 to 60 days."]}
    assert twice.value.messages == ["An extension request is already waiting for a decision."]
    assert no_note.value.message_dict == {"reason": ["Say why."]}
    assert (extension.status, registration.protection_ends) == (
        ExtensionStatus.APPROVED,
        before + timedelta(days=30),
    )


def test_termination_ends_protection_when_the_grace_period_ends(in_a, manager):
    partner, user = dealer()
    protected = registration_approve(register(user, customer_name="甲公司"), actor=manager)
    pending = register(user, customer_name="乙公司")
    ProgramSettings.objects.update_or_create(pk=1, defaults={"termination_grace_days": 30})

    partner_set_status(partner=partner, status=PartnerStatus.TERMINATED, reason="合同终止")

    partner.refresh_from_db()
    assert partner.protection_release_at is not None
    release_day = timezone.localdate(partner.protection_release_at)
    ends = dict(
        DealRegistration.objects.filter(pk__in=[protected.pk, pending.pk]).values_list(
            "customer_name", "protection_ends"
        )
    )
    assert ends == {
        "甲公司": release_day - timedelta(days=1),
        "乙公司": release_day - timedelta(days=1),
    }
    assert protection_expire() == 0  # still inside the grace period
    DealRegistration.objects.filter(partner=partner).update(
        protection_ends=tenant_today() - timedelta(days=1)
    )
    assert protection_expire() == 2
    assert set(
        DealRegistration.objects.filter(partner=partner).values_list("status", "holds_claim")
    ) == {(DealStatus.EXPIRED, False)}


def test_suspension_caps_protection_at_the_grace_period(in_a, manager):
    partner, user = dealer()
    registration = registration_approve(register(user), actor=manager)
    ProgramSettings.objects.update_or_create(pk=1, defaults={"termination_grace_days": 10})

    partner_set_status(partner=partner, status=PartnerStatus.SUSPENDED, reason="逾期未付款")

    registration.refresh_from_db()
    assert registration.protection_ends == tenant_today() + timedelta(days=9)


def test_overdue_decisions_remind_the_channel_manager_once(
    in_a, django_capture_on_commit_callbacks
):
    manager = make_user(Role.CHANNEL_MANAGER, email="cm@alpha.test")
    _partner, user = dealer(channel_manager=manager)
    late = register(user, customer_name="甲公司")
    register(user, customer_name="乙公司")
    DealRegistration.objects.filter(pk=late.pk).update(
        approval_due_at=timezone.now() - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        sent = approvals_remind()
    with django_capture_on_commit_callbacks(execute=True):
        again = approvals_remind()

    assert (sent, again) == (1, 0)
    assert [m.to for m in mail.outbox] == [["cm@alpha.test"]]
    assert late.number in mail.outbox[0].subject
    assert f"/deals/{late.pk}/" in mail.outbox[0].body


def test_the_daily_job_expires_and_reminds_and_the_scorecard_counts_wins(in_a, manager):
    from datetime import datetime

    from deal_registration.selectors import deals_won
    from deal_registration.tasks import deals_daily

    partner, user = dealer()
    ran_out = registration_approve(register(user, customer_name="甲公司"), actor=manager)
    soon = registration_approve(register(user, customer_name="乙公司"), actor=manager)
    won = registration_approve(register(user, customer_name="丙公司"), actor=manager)
    registration_close(won, actor=user, won=True)
    _ends(ran_out, -1)
    _ends(soon, 3)
    now = timezone.now()

    assert deals_daily() == {"expired": 1, "reminded": 1}
    assert deals_won(
        partner_ids=[partner.pk], since=now - timedelta(days=1), until=now + timedelta(days=1)
    ) == {partner.pk: 1}
    assert (
        deals_won(partner_ids=None, since=now + timedelta(days=1), until=now + timedelta(days=2))
        == {}
    )
    assert isinstance(now, datetime)
