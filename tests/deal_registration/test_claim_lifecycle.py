"""How a claim survives edits, unanswered questions, slow decisions and a partner leaving."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from deal_registration.models import DealRegistration, DealStatus
from deal_registration.protection import approvals_remind, extension_request, protection_expire
from deal_registration.registrations import (
    registration_approve,
    registration_request_info,
    registration_save,
    registration_submit,
)
from deal_registration.selectors import pipeline
from partners.models import PartnerStatus
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.factories import make_credit_code, make_user

from .deals import dealer, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(in_a):
    return make_user(Role.ADMIN, email="admin-boss@alpha.test")


def _fresh(registration: DealRegistration) -> DealRegistration:
    return DealRegistration.objects.get(pk=registration.pk)


def test_adding_the_asked_credit_code_keeps_the_claim_and_the_place_in_line(in_a, manager):
    _p, user = dealer()
    registration = register(user)
    first_time = registration.submitted_at
    registration_request_info(registration, actor=manager, reason="请补充信用代码")

    registration = _fresh(registration)
    registration.credit_code = make_credit_code(901)
    registration_save(registration, user=user)

    again = _fresh(registration)
    assert (again.holds_claim, again.submitted_at) == (True, first_time)
    assert again.answer_due_on == tenant_today() + timedelta(days=13)


def test_renaming_the_customer_gives_up_the_claim_to_the_next_in_line(in_a, manager):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    first = register(first_user, customer_name="深圳市腾飞科技有限公司")
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    registration_request_info(first, actor=manager, reason="请确认客户")

    first = _fresh(first)
    first.customer_name = "北京星河数据有限公司"
    registration_save(first, user=first_user)

    assert (_fresh(first).holds_claim, _fresh(first).submitted_at) == (False, None)
    assert _fresh(second).holds_claim is True
    # Resubmitted, the renamed registration queues as a new customer with a new time.
    resubmitted = registration_submit(_fresh(first), user=first_user)
    assert resubmitted.holds_claim is True
    second_time = _fresh(second).submitted_at
    assert resubmitted.submitted_at is not None
    assert second_time is not None
    assert resubmitted.submitted_at > second_time


def test_an_unanswered_request_for_information_expires_and_frees_the_customer(in_a, manager):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    first = register(first_user)
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    registration_request_info(first, actor=manager, reason="请补充项目预算")

    assert protection_expire() == 0  # the partner has until answer_due_on, inclusive
    DealRegistration.objects.filter(pk=first.pk).update(
        answer_due_on=tenant_today() - timedelta(days=1)
    )
    assert protection_expire() == 1

    assert (_fresh(first).status, _fresh(first).holds_claim) == (DealStatus.EXPIRED, False)
    assert _fresh(second).holds_claim is True
    reason = _fresh(first).status_changes.order_by("pk").last().reason
    assert reason.startswith("No answer to the request for information by")


def test_an_overdue_decision_escalates_to_the_vendor_admins_after_another_sla(
    in_a, django_capture_on_commit_callbacks
):
    channel_manager = make_user(Role.CHANNEL_MANAGER, email="cm-late@alpha.test")
    make_user(Role.ADMIN, email="admin-late@alpha.test")
    _p, user = dealer(channel_manager=channel_manager)
    registration = register(user)
    DealRegistration.objects.filter(pk=registration.pk).update(
        approval_due_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = approvals_remind()
    DealRegistration.objects.filter(pk=registration.pk).update(
        approval_due_at=timezone.now() - timedelta(hours=49)
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = approvals_remind()
    with django_capture_on_commit_callbacks(execute=True):
        third = approvals_remind()

    assert (first, second, third) == (1, 1, 0)
    recipients = [m.to for m in mail.outbox]
    assert recipients[0] == ["cm-late@alpha.test"]
    assert "admin-late@alpha.test" in recipients[1]
    assert "cm-late@alpha.test" not in recipients[1]


def test_a_suspended_partner_gets_no_approval_and_no_extension(in_a, manager):
    partner, user = dealer()
    approved = registration_approve(register(user, customer_name="甲公司"), actor=manager)
    waiting = register(user, customer_name="乙公司")
    partner_set_status(partner=partner, status=PartnerStatus.SUSPENDED, reason="逾期")
    capped = _fresh(approved).protection_ends

    with pytest.raises(ValidationError) as no_approval:
        registration_approve(_fresh(waiting), actor=manager)
    with pytest.raises(ValidationError) as no_extension:
        extension_request(_fresh(approved), user=user, days=30, reason="客户推迟")

    assert no_approval.value.messages == [
        f"{partner.name} is Suspended: its registrations cannot be approved or extended."
    ]
    assert no_extension.value.messages == no_approval.value.messages
    assert _fresh(approved).protection_ends == capped


def test_flagged_duplicates_do_not_count_twice_in_the_pipeline(in_a, manager):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    register(first_user, estimated_amount=Decimal("100000.00"))
    register(
        second_user, customer_name="腾飞科技（深圳）有限公司", estimated_amount=Decimal("90000.00")
    )

    total = pipeline(manager)["total"]

    assert (total.count, total.amount, total.weighted) == (
        1,
        Decimal("100000.00"),
        Decimal("10000.00"),
    )
