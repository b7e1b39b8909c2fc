"""Fund requests: drafted with budget lines, approved by the channel manager and above the
fund's threshold by marketing; the final approval reserves the amount or is refused with what
is left; sending back, rejecting and cancelling; only the right people decide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from mdf.models import MdfRequest, RequestStatus
from mdf.requests import (
    request_approve,
    request_cancel,
    request_reject,
    request_return,
    request_save,
    request_submit,
)
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .test_ledger import totals

pytestmark = pytest.mark.django_db

D = Decimal


def draft(world, *lines: tuple[str, str], **kw: object) -> MdfRequest:
    request = MdfRequest(
        fund=world["fund"],
        activity_type=world["seminar"],
        title="杭州渠道研讨会",
        starts_on=kw.pop("starts_on", date(2026, 12, 10)),
        ends_on=kw.pop("ends_on", date(2026, 12, 10)),
        location="杭州",
        plan="邀请 40 家终端客户",
        expected_leads=20,
        expected_revenue=D("300000.00"),
    )
    return request_save(
        request,
        [(text, D(amount)) for text, amount in lines or (("场地", "3000.00"), ("餐饮", "1000.00"))],
        user=world["dealer"],
    )


def test_a_manager_approval_up_to_the_threshold_is_final_and_reserves(world):
    request = request_submit(draft(world), user=world["dealer"])

    approved = request_approve(request, user=world["manager"])

    assert (approved.status, MdfRequest.objects.get(pk=request.pk).approved_amount) == (
        RequestStatus.APPROVED,
        D("4000.00"),
    )
    assert totals(world["allocation"]) == (D("10000.00"), D("4000.00"), 0, 0, 0, D("6000.00"))
    assert list(approved.status_changes.order_by("pk").values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "approved",
    ]


def test_above_the_threshold_marketing_approves_at_most_the_managers_amount(world):
    request = draft(world, ("展位", "8000.00"))
    request_submit(request, user=world["dealer"])

    with translation.override("en"), pytest.raises(ValidationError) as no_reason:
        request_approve(request, user=world["manager"], amount=D("7000.00"))
    assert no_reason.value.message_dict["reason"] == ["Say why."]
    step = request_approve(request, user=world["manager"], amount=D("7000.00"), reason="展位缩小")
    reserved_between = totals(world["allocation"])[1]
    with pytest.raises(PermissionDenied):
        request_approve(request, user=world["manager"])  # the manager's step is done
    with translation.override("en"), pytest.raises(ValidationError) as too_much:
        request_approve(request, user=world["marketing"], amount=D("7000.01"))
    final = request_approve(request, user=world["marketing"])

    assert (step.status, reserved_between) == (RequestStatus.MANAGER_APPROVED, D("0.00"))
    assert too_much.value.message_dict["amount"] == ["At most ¥7,000.00 can be approved."]
    assert final.status == RequestStatus.APPROVED
    assert MdfRequest.objects.get(pk=request.pk).approved_amount == D("7000.00")
    assert totals(world["allocation"])[1] == D("7000.00")


def test_approval_beyond_the_balance_is_refused_with_the_balance(world):
    first = request_submit(draft(world, ("广告", "4500.00")), user=world["dealer"])
    second = request_submit(draft(world, ("广告", "4500.00")), user=world["dealer"])
    third = request_submit(draft(world, ("广告", "4500.00")), user=world["dealer"])
    request_approve(first, user=world["manager"])
    request_approve(second, user=world["manager"])

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        request_approve(third, user=world["manager"])

    assert refused.value.message_dict["amount"] == [
        "Only ¥1,000.00 of this fund is available; ¥4,500.00 was asked."
    ]
    assert MdfRequest.objects.get(pk=third.pk).status == RequestStatus.SUBMITTED
    assert totals(world["allocation"])[1] == D("9000.00")


def test_sent_back_edited_and_submitted_again_then_cancelled_releases(world):
    request = request_submit(draft(world), user=world["dealer"])
    with translation.override("en"), pytest.raises(ValidationError) as no_reason:
        request_return(request, user=world["manager"], reason=" ")
    request_return(request, user=world["manager"], reason="请补充预算明细")
    request = MdfRequest.objects.get(pk=request.pk)
    request_save(request, [("场地", D("2500.00")), ("物料", D("500.00"))], user=world["dealer"])
    request_submit(request, user=world["dealer"])
    request_approve(request, user=world["manager"])
    reserved = totals(world["allocation"])[1]

    request_cancel(MdfRequest.objects.get(pk=request.pk), user=world["dealer"], reason="活动取消")

    assert no_reason.value.message_dict["reason"] == ["Say why."]
    assert reserved == D("3000.00")
    assert totals(world["allocation"])[1:3] == (D("0.00"), D("0.00"))
    assert MdfRequest.objects.get(pk=request.pk).status == RequestStatus.CANCELLED


def test_bad_drafts_get_field_errors_and_nothing_is_saved(world):
    before = MdfRequest.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        draft(
            world,
            ("", "100.00"),
            ("餐饮", "-5.00"),
            starts_on=date(2026, 12, 10),
            ends_on=date(2026, 12, 9),
        )

    assert refused.value.message_dict == {
        "ends_on": ["The activity cannot end before it starts."],
        "line-1": ["Describe the budget item."],
        "line-2": ["Enter an amount above zero with at most two decimals."],
    }
    assert MdfRequest.objects.count() == before


def test_only_the_partners_own_manager_marketing_or_admin_decide(world):
    request = request_submit(draft(world), user=world["dealer"])
    for outsider in (
        world["other_manager"],
        world["marketing"],  # marketing decides only the second step
        make_user(Role.SALES),
        world["dealer"],
    ):
        with pytest.raises(PermissionDenied):
            request_approve(request, user=outsider)
    with pytest.raises(PermissionDenied):
        request_reject(request, user=world["other_manager"], reason="不行")
    stranger = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    with pytest.raises(PermissionDenied):
        request_cancel(request, user=stranger)

    rejected = request_reject(request, user=make_user(Role.ADMIN), reason="与政策不符")
    assert rejected.status == RequestStatus.REJECTED


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"starts_on": date(2025, 12, 31), "ends_on": date(2026, 1, 2)},
            "starts_on",
            "The fund covers activities from 2026-01-01.",
        ),
        (
            {"starts_on": date(2026, 12, 30), "ends_on": date(2027, 1, 1)},
            "ends_on",
            "The fund covers activities until 2026-12-31.",
        ),
    ],
)
def test_an_activity_outside_the_funds_period_is_refused_at_its_date(world, dates, field, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        draft(world, **dates)

    assert refused.value.message_dict == {field: [message]}
    assert MdfRequest.objects.count() == 0
