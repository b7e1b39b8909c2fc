"""Status and exit: suspension blocks transactions, termination has its effects."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import PartnerStatus, ProgramSettings
from partners.services import partner_set_status
from partners.signals import partner_status_changed
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


def test_suspension_blocks_ordering_and_reactivation_restores_it(in_a, vendor_admin):
    partner = make_partner()
    product = make_product("10.00")

    partner_set_status(
        partner=partner, status=PartnerStatus.SUSPENDED, actor=vendor_admin, reason="逾期未回款"
    )
    with pytest.raises(ValidationError):
        make_order(partner, (product, 1))
    partner_set_status(
        partner=partner, status=PartnerStatus.ACTIVE, actor=vendor_admin, reason="已回款"
    )

    assert make_order(partner, (product, 2)).total == Decimal("20.00")


def test_termination_deactivates_users_freezes_balances_and_schedules_release(in_a, vendor_admin):
    settings_row = ProgramSettings.current()
    settings_row.termination_grace_days = 45
    settings_row.save()
    partner = make_partner()
    users = [
        make_user(Role.PARTNER_ADMIN, partner=partner),
        make_user(Role.PARTNER_USER, partner=partner),
    ]
    other = make_user(Role.PARTNER_USER, partner=make_partner())
    events = []
    partner_status_changed.connect(
        lambda **kw: events.append(kw["to_status"]), weak=False, dispatch_uid="test-termination"
    )
    before = timezone.now()
    try:
        partner_set_status(
            partner=partner, status=PartnerStatus.TERMINATED, actor=vendor_admin, reason="清退"
        )
    finally:
        partner_status_changed.disconnect(dispatch_uid="test-termination")

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.TERMINATED
    assert partner.balances_frozen is True
    assert partner.terminated_at is not None
    assert partner.protection_release_at is not None
    assert partner.terminated_at >= before
    assert partner.protection_release_at - partner.terminated_at == timedelta(days=45)
    assert [u.__class__.objects.get(pk=u.pk).is_active for u in users] == [False, False]
    other.refresh_from_db()
    assert other.is_active is True
    assert events == ["terminated"]


def test_terminated_partner_cannot_come_back(in_a):
    partner = make_partner(status=PartnerStatus.TERMINATED)

    with pytest.raises(ValidationError):
        partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)


def test_status_page_action_needs_a_reason_and_a_manager(client_a, vendor_admin):
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner(channel_manager=manager)
    finance = make_user(Role.FINANCE)
    other_manager = make_user(Role.CHANNEL_MANAGER)

    login(client_a, finance)
    assert (
        client_a.post(
            f"/partners/{partner.pk}/status/", {"status": "suspended", "reason": "x"}
        ).status_code
        == 403
    )
    login(client_a, other_manager)
    assert (
        client_a.post(
            f"/partners/{partner.pk}/status/", {"status": "suspended", "reason": "x"}
        ).status_code
        == 404
    )
    login(client_a, manager)
    client_a.post(f"/partners/{partner.pk}/status/", {"status": "suspended", "reason": ""})
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
    client_a.post(f"/partners/{partner.pk}/status/", {"status": "suspended", "reason": "资质过期"})
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.SUSPENDED
    assert partner.status_changes.first().reason == "资质过期"


def test_tier_selector_for_other_modules(in_a):
    from partners.models import Tier
    from partners.selectors import partner_tier, partner_tiers

    gold = Tier.objects.create(code="gold-t", name="金", name_en="Gold", rank=30)
    rated, unrated = make_partner(tier=gold), make_partner()

    assert partner_tier(rated) == gold
    assert partner_tier(unrated.pk) is None
    assert partner_tiers([rated.pk, unrated.pk]) == {rated.pk: gold, unrated.pk: None}


def test_detail_page_labels_creation_in_the_readers_language_and_asks_for_a_status(
    client_a, vendor_admin
):
    partner = make_partner(status=PartnerStatus.APPLIED)
    login(client_a, vendor_admin)
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client_a.get(f"/partners/{partner.pk}/").content.decode()

    assert partner.status_changes.get().reason == ""
    assert "— → <strong>已申请</strong> · 创建" in page
    assert '<select name="status" class="form-select form-select-sm w-auto" required>' in page
    assert page.index('<option value="">') < page.index('<option value="active">')
