"""After signing: renewal versions, expiry, reminders, termination."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.agreements.models import Agreement, AgreementStatus
from partners.agreements.selectors import agreement_current
from partners.agreements.services import (
    agreement_issue,
    agreement_renew,
    agreement_sign,
    agreement_void,
    agreements_expire,
)
from partners.agreements.tasks import agreements_daily
from partners.gates import ORDERING, partner_blockers
from partners.models import PartnerStatus, ProgramSettings
from partners.onboarding.services import onboarding_complete_all
from partners.services import partner_set_status

from .conftest import sign_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(deal):
    deal["agreement"] = agreement_sign(**sign_kwargs(deal["agreement"], deal["signer"]))
    return deal


def _set_term(agreement: Agreement, start: date, end: date) -> Agreement:
    Agreement.objects.filter(pk=agreement.pk).update(term_start=start, term_end=end)
    agreement.refresh_from_db()
    return agreement


def test_renewal_is_the_next_version_from_the_day_after(signed):
    first = signed["agreement"]

    renewal = agreement_renew(
        agreement=first, actor=signed["manager"], purchase_target=Decimal("1500000.00")
    )

    assert (renewal.version, renewal.renewal_of, renewal.status) == (
        2,
        first,
        AgreementStatus.DRAFT,
    )
    assert renewal.term_start == first.term_end + timedelta(days=1)
    assert (renewal.term_end - renewal.term_start).days in (364, 365)
    assert renewal.purchase_target == Decimal("1500000.00")
    assert renewal.incentive_terms == first.incentive_terms == "季度返点 2%"
    assert renewal.number != first.number


def test_one_renewal_at_a_time_until_it_is_voided(signed):
    first = signed["agreement"]
    renewal = agreement_renew(agreement=first, actor=signed["manager"])

    with pytest.raises(ValidationError, match="already been renewed"):
        agreement_renew(agreement=first, actor=signed["manager"])

    agreement_void(agreement=renewal, actor=signed["manager"], reason="条款重谈")
    again = agreement_renew(agreement=first, actor=signed["manager"])
    assert again.version == 2
    assert Agreement.objects.filter(renewal_of=first).count() == 2


def test_a_signed_renewal_takes_over_only_when_the_first_term_ends(signed):
    first = signed["agreement"]
    renewal = agreement_issue(
        agreement=agreement_renew(agreement=first, actor=signed["manager"]),
        actor=signed["manager"],
    )

    agreement_sign(**sign_kwargs(renewal, signed["signer"]))
    first.refresh_from_db()
    in_force_now = agreement_current(signed["partner"])
    moved = agreements_expire(today=first.term_end + timedelta(days=1))
    first.refresh_from_db()

    assert in_force_now == first
    assert moved == 1
    assert first.status == AgreementStatus.SUPERSEDED
    assert first.status_changes.order_by("-pk").first().reason == "期限届满 / term ended"


def test_a_renewal_cannot_overlap_the_agreement_it_renews(signed):
    first = signed["agreement"]

    with pytest.raises(ValidationError) as caught:
        agreement_renew(agreement=first, actor=signed["manager"], term_start=first.term_end)

    assert list(caught.value.message_dict) == ["term_start"]


def test_versions_form_a_chain_not_a_fork(signed):
    first = _set_term(signed["agreement"], date(2024, 1, 1), date(2024, 12, 31))
    agreements_expire(today=date(2025, 1, 1))
    first.refresh_from_db()
    second = agreement_renew(agreement=first, actor=signed["manager"])

    with pytest.raises(ValidationError, match="already been renewed"):
        agreement_renew(agreement=first, actor=signed["manager"])
    assert (first.status, second.version) == (AgreementStatus.EXPIRED, 2)


def test_an_agreement_never_signed_expires_unsigned(deal):
    issued = _set_term(deal["agreement"], date(2025, 1, 1), date(2025, 12, 31))

    assert agreements_expire(today=date(2026, 1, 1)) == 1
    issued.refresh_from_db()
    assert issued.status == AgreementStatus.EXPIRED
    assert issued.status_changes.order_by("-pk").first().reason.startswith("期限届满，未签署")


def test_a_lapsed_agreement_closes_ordering_until_the_renewal_is_signed(signed):
    today = timezone.localdate()
    first = _set_term(signed["agreement"], today - timedelta(days=400), today - timedelta(days=1))
    partner = signed["partner"]
    onboarding_complete_all(partner=partner)

    blockers = partner_blockers(partner, ORDERING)
    renewal = agreement_issue(
        agreement=agreement_renew(agreement=first, actor=signed["manager"], term_start=today),
        actor=signed["manager"],
    )
    agreement_sign(**sign_kwargs(renewal, signed["signer"]))

    assert blockers == [
        f"Agreement {first.number} ended on {first.term_end.isoformat()}: sign its renewal "
        "before ordering."
    ]
    assert partner_blockers(partner, ORDERING) == []


def test_current_agreement_is_the_signed_one_covering_today(signed):
    first = signed["agreement"]
    assert agreement_current(signed["partner"]) == first

    _set_term(first, date(2020, 1, 1), date(2020, 12, 31))

    assert agreement_current(signed["partner"]) is None


def test_expiry_moves_only_ended_signed_agreements_once(signed):
    first = _set_term(signed["agreement"], date(2025, 1, 1), date(2025, 12, 31))

    assert agreements_expire(today=date(2025, 12, 31)) == 0
    assert agreements_expire(today=date(2026, 1, 1)) == 1
    assert agreements_expire(today=date(2026, 1, 2)) == 0
    first.refresh_from_db()
    assert first.status == AgreementStatus.EXPIRED
    # An expired agreement can still be renewed (a partner that let it lapse).
    assert agreement_renew(agreement=first, actor=signed["manager"]).version == 2


def test_expiry_reminder_goes_once_to_partner_admins_and_the_manager(
    signed, django_capture_on_commit_callbacks
):
    settings_row = ProgramSettings.current()
    settings_row.expiry_reminder_days = 30
    settings_row.save()
    today = timezone.localdate()
    soon = _set_term(signed["agreement"], today - timedelta(days=300), today + timedelta(days=20))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = agreements_daily()
    with django_capture_on_commit_callbacks(execute=True):
        second = agreements_daily()

    assert first == {"expired": 0, "reminded": 1, "swept": 0}
    assert second == {"expired": 0, "reminded": 0, "swept": 0}
    soon.refresh_from_db()
    assert soon.reminded_on == today
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([signed["signer"].email, signed["manager"].email])
    assert soon.number in message.subject
    assert "还有 20 天" in message.body
    assert f"/portal/agreements/{soon.pk}/" in message.body


def test_no_reminder_once_a_renewal_is_under_way(signed):
    today = timezone.localdate()
    first = _set_term(signed["agreement"], today - timedelta(days=300), today + timedelta(days=5))
    agreement_renew(agreement=first, actor=signed["manager"])

    assert agreements_daily() == {"expired": 0, "reminded": 0, "swept": 0}


def test_termination_ends_signed_and_withdraws_unsigned_agreements(signed):
    first = signed["agreement"]
    renewal = agreement_issue(
        agreement=agreement_renew(agreement=first, actor=signed["manager"]),
        actor=signed["manager"],
    )

    partner_set_status(
        partner=signed["partner"],
        status=PartnerStatus.TERMINATED,
        actor=signed["manager"],
        reason="严重窜货",
    )

    first.refresh_from_db()
    renewal.refresh_from_db()
    assert (first.status, renewal.status) == (AgreementStatus.TERMINATED, AgreementStatus.VOIDED)
    with pytest.raises(ValidationError, match="Only a signed or expired"):
        agreement_renew(agreement=first, actor=signed["manager"])
