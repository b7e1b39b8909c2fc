"""Registering, submitting and deciding: who holds the customer, and why not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from deal_registration.models import (
    AccountKind,
    DealConflict,
    DealRegistration,
    DealRules,
    DealStatus,
    NamedAccount,
    TierDealRules,
    Verdict,
)
from deal_registration.registrations import (
    registration_approve,
    registration_close,
    registration_reject,
    registration_request_info,
    registration_save,
    registration_submit,
)
from partners.models import PartnerStatus, Tier
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.factories import make_credit_code, make_order, make_product, make_user

from .deals import dealer, fields, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(in_a):
    return make_user(Role.ADMIN)


def test_the_first_registration_holds_the_customer_and_a_variant_is_blocked(in_a):
    _p1, first_user = dealer()
    _p2, second_user = dealer()

    first = register(first_user, customer_name="深圳市腾飞科技有限公司")
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")

    assert (first.status, first.holds_claim, first.has_conflict) == ("submitted", True, False)
    assert (second.status, second.holds_claim, second.has_conflict) == ("submitted", False, True)
    assert first.submitted_at is not None
    assert second.submitted_at is not None
    assert first.submitted_at < second.submitted_at
    conflict = DealConflict.objects.get(registration=second)
    assert (conflict.other_registration_id, conflict.verdict, conflict.matched, conflict.score) == (
        first.pk,
        Verdict.BLOCK,
        ["name"],
        Decimal("1.00"),
    )
    assert first.approval_due_at == first.submitted_at + timedelta(hours=48)


def test_approval_protects_for_the_tier_period_and_a_blocked_one_waits(in_a, manager):
    gold = Tier.objects.create(code="gold-dr", name="金牌", name_en="Gold", rank=91)
    TierDealRules.objects.create(tier=gold, protection_days=120)
    p1, first_user = dealer()
    p1.tier = gold
    p1.save(update_fields=["tier"])
    _p2, second_user = dealer()
    code = make_credit_code(501)
    first = register(first_user, credit_code=code)
    second = register(second_user, customer_name="Tengfei Tech", credit_code=code)

    approved = registration_approve(first, actor=manager)
    with pytest.raises(ValidationError) as refused:
        registration_approve(second, actor=manager)

    approved.refresh_from_db()
    assert (approved.status, approved.protection_ends) == (
        "approved",
        tenant_today() + timedelta(days=119),  # 120 days counting today
    )
    assert "holds this customer" in refused.value.messages[0]
    # Once the first claim ends, the second may be approved and takes the customer over.
    registration_close(approved, actor=first_user, won=False, reason="客户取消项目")
    registration_approve(second, actor=manager)
    second.refresh_from_db()
    assert (second.status, second.holds_claim) == ("approved", True)
    assert second.protection_ends == tenant_today() + timedelta(
        days=DealRules.current().protection_days - 1
    )


def test_a_possible_conflict_is_approved_only_with_a_reason(in_a, manager):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    register(first_user, customer_name="深圳市腾飞科技有限公司", phone="0755-8888 6666")
    second = register(second_user, customer_name="深圳市星河电子有限公司", phone="+86 755 88886666")

    assert DealConflict.objects.get(registration=second).verdict == Verdict.REVIEW
    assert second.holds_claim is True  # a review does not take the customer away
    with pytest.raises(ValidationError) as refused:
        registration_approve(second, actor=manager)
    assert refused.value.message_dict == {"reason": ["Say why."]}

    registration_approve(second, actor=manager, reason="同一园区的两家公司，电话是园区总机")
    assert DealRegistration.objects.get(pk=second.pk).status == DealStatus.APPROVED


def test_a_vendor_named_account_blocks_a_partner(in_a):
    NamedAccount.objects.create(
        kind=AccountKind.NAMED, name="华润万家有限公司", website="https://www.crv.com.cn"
    )
    _p, user = dealer()

    registration = register(
        user, customer_name="深圳华润万家超市", contact_email="buyer@crv.com.cn"
    )

    conflict = DealConflict.objects.get(registration=registration)
    assert (conflict.verdict, conflict.matched, registration.holds_claim) == (
        Verdict.BLOCK,
        ["name", "domain"],
        False,
    )


def test_more_information_then_resubmission_keeps_the_first_registration_time(in_a, manager):
    _p, user = dealer()
    registration = register(user)
    first_time = registration.submitted_at

    registration_request_info(registration, actor=manager, reason="请补充客户联系人电话")
    registration.refresh_from_db()
    registration.contact_phone = "13800138000"
    registration_save(registration, user=user)
    again = registration_submit(registration, user=user)

    again.refresh_from_db()
    assert (again.status, again.submitted_at, again.holds_claim) == ("submitted", first_time, True)
    assert list(again.status_changes.values_list("to_status", flat=True)) == [
        "submitted",
        "more_info",
        "submitted",
        "draft",
    ]


def test_rejection_needs_a_reason_and_frees_the_customer(in_a, manager):
    _p, user = dealer()
    registration = register(user)

    with pytest.raises(ValidationError):
        registration_reject(registration, actor=manager, reason=" ")
    registration_reject(registration, actor=manager, reason="客户属于直销名单")

    registration.refresh_from_db()
    assert (registration.status, registration.holds_claim) == ("rejected", False)


def test_won_deals_link_their_own_partners_orders_only(in_a, manager):
    partner, user = dealer()
    other, _other_user = dealer()
    product = make_product("50.00")
    own_order = make_order(partner, (product, 2))
    foreign_order = make_order(other, (product, 1))
    registration = registration_approve(register(user), actor=manager)

    with pytest.raises(ValidationError) as refused:
        registration_close(registration, actor=user, won=True, orders=[foreign_order])
    registration_close(registration, actor=user, won=True, orders=[own_order])

    registration.refresh_from_db()
    assert refused.value.message_dict == {
        "orders": ["Link only orders of the registering partner."]
    }
    assert (registration.status, registration.holds_claim) == ("won", True)
    assert list(registration.orders.values_list("number", flat=True)) == [own_order.number]


def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(in_a):
    _p, user = dealer()
    cases = {
        "credit_code": ("91440300MA5FXXXX1X", "not a valid unified social credit code"),
        "expected_close_date": (
            tenant_today() - timedelta(days=1),
            "The expected close date cannot be in the past.",
        ),
        "contact_name": ("", "This field cannot be blank."),
    }
    for field, (value, message) in cases.items():
        registration = DealRegistration(partner=user.partner, **fields(**{field: value}))
        with pytest.raises(ValidationError) as refused:
            registration_save(registration, user=user)
        assert list(refused.value.message_dict) == [field]
        assert message in refused.value.message_dict[field][0]
    assert DealRegistration.objects.count() == 0


def test_only_the_partners_own_users_register_and_only_while_active(in_a):
    partner, user = dealer()
    _other, stranger = dealer()
    draft = register(user, submit=False)

    with pytest.raises(PermissionDenied):
        registration_submit(draft, user=stranger)
    partner_set_status(partner=partner, status=PartnerStatus.SUSPENDED)
    partner.refresh_from_db()
    user.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        registration_submit(draft, user=user)
    assert "cannot register deals while its status is Suspended" in refused.value.messages[0]


def test_the_database_allows_one_claim_per_credit_code(in_a):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    code = make_credit_code(777)
    register(first_user, credit_code=code)
    second = register(second_user, credit_code=code)

    with pytest.raises(IntegrityError), transaction.atomic():
        DealRegistration.objects.filter(pk=second.pk).update(holds_claim=True)


def test_when_a_claim_ends_the_next_registered_takes_the_customer(in_a, manager):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    _p3, third_user = dealer()
    first = register(first_user, customer_name="深圳市腾飞科技有限公司")
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    third = register(third_user, customer_name="腾飞科技(深圳)有限公司")

    registration_reject(first, actor=manager, reason="客户属于直销名单")
    after_first = dict(
        DealRegistration.objects.filter(pk__in=[second.pk, third.pk]).values_list(
            "pk", "holds_claim"
        )
    )
    registration_reject(second, actor=manager, reason="重复报备")
    third.refresh_from_db()

    # Second registered before third, so it is next in line; then third.
    assert after_first == {second.pk: True, third.pk: False}
    assert third.holds_claim is True
    assert DealConflict.objects.filter(registration=third, verdict=Verdict.BLOCK).count() == 0


def test_an_expired_protection_hands_the_customer_to_the_waiting_registration(in_a, manager):
    from deal_registration.protection import protection_expire

    _p1, first_user = dealer()
    _p2, second_user = dealer()
    first = registration_approve(register(first_user), actor=manager)
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    DealRegistration.objects.filter(pk=first.pk).update(
        protection_ends=tenant_today() - timedelta(days=1)
    )

    assert protection_expire() == 1
    second.refresh_from_db()
    assert (second.holds_claim, second.has_conflict) == (True, False)
    registration_approve(second, actor=manager)
