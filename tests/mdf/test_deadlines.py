"""The dates funds live by: a request not claimed within the fund's claim days lapses and its
reservation comes back; unused funds expire after the fund's date (and again for money given
back later), closing the fund; partners are reminded once each of missing proof, a near claim
deadline and funds about to expire. Every run is safe to repeat."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from mdf.claims import InvoiceIn, claim_reject, claim_submit
from mdf.deadlines import (
    claim_deadline_remind,
    expiry_remind,
    funds_expire,
    proof_remind,
    requests_lapse,
)
from mdf.models import FundStatus, MdfRequest, RequestStatus
from mdf.requests import request_approve, request_cancel, request_submit
from mdf.tasks import mdf_daily
from prm.accounts.roles import Role
from tests.factories import make_user

from .test_claims import proven
from .test_ledger import totals
from .test_requests import draft

pytestmark = pytest.mark.django_db

D = Decimal


def approved(world: dict[str, Any]) -> MdfRequest:
    """4,000.00 reserved for a seminar on 2026-12-10: claim by 2027-02-08 (60 days)."""
    return request_approve(
        request_submit(draft(world), user=world["dealer"]), user=world["manager"]
    )


def run(job: Any, day: date, capture: Any) -> tuple[int, list[Any]]:
    """Run one of the daily steps as of `day`; what it counted and the mail it sent."""
    mail.outbox.clear()
    with translation.override("en"), capture(execute=True):
        count = job(day)
    return count, list(mail.outbox)


def history(request: MdfRequest) -> list[tuple[str, str]]:
    return list(request.status_changes.order_by("pk").values_list("to_status", "reason"))


def test_an_unclaimed_request_lapses_the_day_after_its_deadline(
    world, django_capture_on_commit_callbacks
):
    request = approved(world)
    assert request.claim_deadline == date(2027, 2, 8)

    on_deadline = run(requests_lapse, date(2027, 2, 8), django_capture_on_commit_callbacks)
    after = run(requests_lapse, date(2027, 2, 9), django_capture_on_commit_callbacks)
    again = run(requests_lapse, date(2027, 2, 10), django_capture_on_commit_callbacks)

    request.refresh_from_db()
    assert (on_deadline[0], after[0], again[0]) == (0, 1, 0)
    assert request.status == RequestStatus.LAPSED
    assert history(request)[-1] == ("lapsed", "Not claimed by 2027-02-08.")
    assert totals(world["allocation"]) == (D("10000.00"), 0, 0, 0, 0, D("10000.00"))
    [message] = after[1]
    assert message.to == [world["dealer"].email]
    assert message.subject == f"{request.number} lapsed: it was not claimed in time"
    assert "The ¥4,000.00 reserved for “杭州渠道研讨会” is back" in message.body
    assert f"/portal/mdf/requests/{request.pk}/" in message.body


def test_a_claim_in_review_keeps_the_request_a_rejected_one_does_not(
    world, django_capture_on_commit_callbacks
):
    request = proven(world)
    claim = claim_submit(
        request,
        [InvoiceIn("INV-1", date(2026, 12, 10), D("3000.00"), "会场")],
        user=world["dealer"],
    )

    in_review = run(requests_lapse, date(2027, 3, 1), django_capture_on_commit_callbacks)
    claim_reject(claim, user=make_user(Role.FINANCE), reason="发票抬头不对")
    rejected = run(requests_lapse, date(2027, 3, 1), django_capture_on_commit_callbacks)

    request.refresh_from_db()
    assert (in_review[0], rejected[0], request.status) == (0, 1, RequestStatus.LAPSED)
    assert totals(world["allocation"]) == (D("10000.00"), 0, 0, 0, 0, D("10000.00"))


def test_partners_are_reminded_once_of_proof_still_missing_after_the_activity(
    world, django_capture_on_commit_callbacks
):
    missing = approved(world)
    complete = proven(world)

    during = run(proof_remind, date(2026, 12, 10), django_capture_on_commit_callbacks)
    after = run(proof_remind, date(2026, 12, 11), django_capture_on_commit_callbacks)
    later = run(proof_remind, date(2026, 12, 20), django_capture_on_commit_callbacks)

    assert (during[0], after[0], later[0]) == (0, 1, 0)
    [message] = after[1]
    assert message.subject == f"{missing.number}: upload the proof of your activity"
    assert "Still missing: Photos, Attendee list, Invoice." in message.body
    assert "the claim deadline is 2027-02-08" in message.body
    assert MdfRequest.objects.get(pk=complete.pk).proof_reminded_on is None


def test_partners_are_reminded_once_when_the_claim_deadline_is_near(
    world, django_capture_on_commit_callbacks
):
    request = approved(world)  # deadline 2027-02-08; the fund reminds 14 days before

    early = run(claim_deadline_remind, date(2027, 1, 24), django_capture_on_commit_callbacks)
    due = run(claim_deadline_remind, date(2027, 1, 25), django_capture_on_commit_callbacks)
    again = run(claim_deadline_remind, date(2027, 1, 26), django_capture_on_commit_callbacks)

    assert (early[0], due[0], again[0]) == (0, 1, 0)
    [message] = due[1]
    assert message.subject == f"{request.number}: claim by 2027-02-08"
    assert "¥4,000.00 is reserved for “杭州渠道研讨会”" in message.body


def test_unused_funds_expire_after_the_fund_date_and_again_when_money_comes_back(
    world, django_capture_on_commit_callbacks
):
    request = approved(world)  # 4,000.00 reserved of 10,000.00
    fund, allocation = world["fund"], world["allocation"]

    on_the_day = run(funds_expire, date(2027, 1, 31), django_capture_on_commit_callbacks)
    after = run(funds_expire, date(2027, 2, 1), django_capture_on_commit_callbacks)
    expired_once = totals(allocation)
    request_cancel(request, user=world["dealer"], reason="活动取消")
    given_back = totals(allocation)
    next_day = run(funds_expire, date(2027, 2, 2), django_capture_on_commit_callbacks)

    fund.refresh_from_db()
    assert (on_the_day[0], after[0], next_day[0]) == (0, 1, 1)
    assert expired_once == (D("10000.00"), D("4000.00"), 0, 0, D("6000.00"), 0)
    assert given_back == (D("10000.00"), 0, 0, 0, D("6000.00"), D("4000.00"))
    assert totals(allocation) == (D("10000.00"), 0, 0, 0, D("10000.00"), 0)
    assert fund.status == FundStatus.CLOSED
    assert list(fund.status_changes.values_list("to_status", "reason")) == [
        ("closed", "Funds expired.")
    ]
    with translation.override("en"), pytest.raises(ValidationError) as closed:
        draft(world)
    assert closed.value.message_dict["fund"] == ["This fund is not open for requests."]


def test_partners_are_reminded_once_before_their_funds_expire(
    world, django_capture_on_commit_callbacks
):
    approved(world)  # 6,000.00 left of 10,000.00; the fund expires 2027-01-31

    early = run(expiry_remind, date(2027, 1, 16), django_capture_on_commit_callbacks)
    due = run(expiry_remind, date(2027, 1, 17), django_capture_on_commit_callbacks)
    again = run(expiry_remind, date(2027, 1, 18), django_capture_on_commit_callbacks)

    assert (early[0], due[0], again[0]) == (0, 1, 0)
    [message] = due[1]
    assert message.to == [world["dealer"].email]
    assert message.subject == "¥6,000.00 of 2026 市场费用 expires on 2027-01-31"


def test_the_daily_job_replays_a_day(world, django_capture_on_commit_callbacks):
    approved(world)

    with django_capture_on_commit_callbacks(execute=True):
        result = mdf_daily.apply(args=["2027-02-09"]).get()

    assert result == {
        "funds_allocated": 0,
        "lapsed": 1,
        "expired": 1,
        "proof_reminded": 0,
        "claim_reminded": 0,
        "expiry_reminded": 0,
    }
    assert totals(world["allocation"]) == (D("10000.00"), 0, 0, 0, D("10000.00"), 0)


def test_a_closed_fund_ends_the_requests_still_in_its_queues(
    world, django_capture_on_commit_callbacks
):
    waiting = request_submit(draft(world), user=world["dealer"])
    drafted = draft(world)
    approved_one = approved(world)
    submitted_late = draft(world)

    run(funds_expire, date(2027, 2, 1), django_capture_on_commit_callbacks)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        request_submit(submitted_late, user=world["dealer"])

    statuses = dict(
        MdfRequest.objects.filter(
            pk__in=[waiting.pk, drafted.pk, approved_one.pk, submitted_late.pk]
        ).values_list("pk", "status")
    )
    assert statuses == {
        waiting.pk: RequestStatus.REJECTED,
        drafted.pk: RequestStatus.CANCELLED,
        approved_one.pk: RequestStatus.APPROVED,  # keeps its 4,000.00 until claimed or lapsed
        submitted_late.pk: RequestStatus.CANCELLED,
    }
    assert history(MdfRequest.objects.get(pk=waiting.pk))[-1] == ("rejected", "The fund expired.")
    assert refused.value.message_dict["fund"] == ["This fund is not open for requests."]
    assert totals(world["allocation"]) == (D("10000.00"), D("4000.00"), 0, 0, D("6000.00"), 0)
