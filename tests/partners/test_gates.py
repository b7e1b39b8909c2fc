"""Ordering and deal registration ask `partner_blockers`: status first, then gating steps."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from partners.gates import DEAL_REGISTRATION, ORDERING, partner_blockers
from partners.models import PartnerStatus
from partners.onboarding.models import StepKind
from partners.onboarding.services import onboarding_complete
from partners.services import partner_set_status
from tests.factories import make_order, make_partner, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _order(partner, product):
    return make_order(partner, (product, 3), onboarded=False)


def test_no_ordering_before_the_agreement_is_signed(in_a, vendor_admin):
    partner = make_partner()
    product = make_product("10.00")

    with pytest.raises(ValidationError) as caught:
        _order(partner, product)

    assert caught.value.messages == [
        "Sign the partner agreement before ordering.",
        "Upload the business licence before ordering.",
    ]
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)
    onboarding_complete(partner=partner, kind=StepKind.UPLOAD_QUALIFICATION)
    assert _order(partner, product).total == Decimal("30.00")


def test_deal_registration_has_its_own_gates(in_a):
    partner = make_partner()
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)

    assert partner_blockers(partner, DEAL_REGISTRATION) == [
        "Finish the required courses before registering deals."
    ]
    assert partner_blockers(partner, ORDERING) == ["Upload the business licence before ordering."]


def test_suspended_partner_is_told_its_status_first(in_a, vendor_admin):
    partner = make_partner()
    partner_set_status(partner=partner, status=PartnerStatus.SUSPENDED, actor=vendor_admin)
    partner.refresh_from_db()

    blockers = partner_blockers(partner, DEAL_REGISTRATION)

    assert blockers[0] == f"{partner.name} cannot register deals while its status is Suspended."
    assert len(blockers) == 3
