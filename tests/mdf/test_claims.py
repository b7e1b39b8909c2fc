"""Claims: request → approval reserves → evidence → claim → partial approval, with the fund ledger
balancing exactly at each step; claims over the approved amount, with a reused invoice number or
outside the activity's dates, or without the required proof, are refused with a clear reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from mdf.claims import InvoiceIn, claim_approve, claim_reject, claim_submit, invoice_key
from mdf.evidence import evidence_add
from mdf.models import ClaimStatus, MdfClaim, MdfRequest, SettledAs
from mdf.requests import request_approve, request_cancel, request_submit
from mdf.settlement import claim_settle
from orders.ledger import balances
from prm.accounts.roles import Role
from tests.factories import make_user

from .test_evidence import PDF, PNG
from .test_ledger import totals
from .test_requests import draft

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2026, 12, 10)


def proven(world: dict[str, Any], *lines: tuple[str, str]) -> MdfRequest:
    """An approved request with every proof the seminar type needs."""
    request = request_approve(
        request_submit(draft(world, *lines), user=world["dealer"]), user=world["manager"]
    )
    for kind, name, content in (
        ("photo", "a.png", PNG),
        ("attendees", "b.pdf", PDF),
        ("invoice", "c.pdf", PDF),
    ):
        evidence_add(request, SimpleUploadedFile(name, content), kind=kind, user=world["dealer"])
    return request


def test_the_whole_way_balances_at_each_step(world):
    allocation = world["allocation"]
    request = proven(world, ("场地", "3000.00"), ("餐饮", "1000.00"))
    assert totals(allocation) == (D("10000.00"), D("4000.00"), 0, 0, 0, D("6000.00"))

    claim = claim_submit(
        request,
        [
            InvoiceIn("044031900111 12345678", DAY, D("2800.00"), "杭州国际会议中心"),
            InvoiceIn("044031900111 12345679", DAY, D("950.50"), "杭州某餐饮有限公司"),
        ],
        user=world["dealer"],
        leads=25,
        new_customers=3,
        revenue=D("180000.00"),
    )
    assert (claim.status, claim.claimed_amount) == (ClaimStatus.SUBMITTED, D("3750.50"))
    assert totals(allocation) == (D("10000.00"), D("4000.00"), 0, 0, 0, D("6000.00"))

    finance = make_user(Role.FINANCE)
    with translation.override("en"), pytest.raises(ValidationError) as no_reason:
        claim_approve(claim, user=finance, amount=D("3500.00"))
    approved = claim_approve(claim, user=finance, amount=D("3500.00"), reason="餐饮超标")

    assert no_reason.value.message_dict["reason"] == ["Say why."]
    assert (approved.status, MdfClaim.objects.get(pk=claim.pk).approved_amount) == (
        ClaimStatus.APPROVED,
        D("3500.00"),
    )
    # The 4,000.00 reservation is gone; 3,500.00 is claimed; 500.00 went back to available.
    assert totals(allocation) == (D("10000.00"), 0, D("3500.00"), 0, 0, D("6500.00"))


@pytest.mark.parametrize(
    ("invoices", "field", "message"),
    [
        (
            [InvoiceIn("A-1", DAY, D("4000.01"), "某公司")],
            "invoices",
            "The invoices add up to ¥4,000.01, more than the ¥4,000.00 approved.",
        ),
        (
            [InvoiceIn("A-1", date(2026, 12, 11), D("100.00"), "某公司")],
            "invoice-1",
            "The invoice date must be within the activity (2026-12-10 – 2026-12-10).",
        ),
        (
            [InvoiceIn("A-1", DAY, D("100.00"), "某公司"), InvoiceIn("a 1", DAY, D("5"), "某")],
            "invoice-2",
            "Invoice a 1 is listed twice.",
        ),
        ([], "invoices", "Add at least one invoice."),
    ],
)
def test_bad_claims_are_refused_at_the_field(world, invoices, field, message):
    request = proven(world)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        claim_submit(request, invoices, user=world["dealer"])

    assert refused.value.message_dict[field] == [message]
    assert not MdfClaim.objects.exists()


def test_an_invoice_number_is_never_claimed_twice_until_its_claim_is_rejected(world):
    first = proven(world, ("场地", "2000.00"))
    second = proven(world, ("场地", "2000.00"))
    claim = claim_submit(
        first, [InvoiceIn("No. 8801", DAY, D("2000.00"), "某")], user=world["dealer"]
    )

    with translation.override("en"), pytest.raises(ValidationError) as reused:
        claim_submit(
            second, [InvoiceIn("ｎｏ８８０１", DAY, D("2000.00"), "某")], user=world["dealer"]
        )
    claim_reject(claim, user=make_user(Role.MARKETING), reason="发票抬头不符")
    again = claim_submit(
        second, [InvoiceIn("NO8801", DAY, D("2000.00"), "某")], user=world["dealer"]
    )

    assert invoice_key("ｎｏ８８０１") == invoice_key("No. 8801") == "NO8801"
    assert reused.value.message_dict["invoice-1"] == [
        "Invoice ｎｏ８８０１ has already been claimed."
    ]
    assert again.status == ClaimStatus.SUBMITTED
    # The rejected claim kept its request's reservation for a new claim.
    assert totals(world["allocation"])[1] == D("4000.00")


def test_a_claim_needs_the_required_proof_and_only_auditors_decide(world):
    request = request_approve(
        request_submit(draft(world), user=world["dealer"]), user=world["manager"]
    )
    evidence_add(request, SimpleUploadedFile("a.png", PNG), kind="photo", user=world["dealer"])

    with translation.override("en"), pytest.raises(ValidationError) as unproven:
        claim_submit(request, [InvoiceIn("X-1", DAY, D("100.00"), "某")], user=world["dealer"])
    for kind, name in (("attendees", "b.pdf"), ("invoice", "c.pdf")):
        evidence_add(request, SimpleUploadedFile(name, PDF), kind=kind, user=world["dealer"])
    claim = claim_submit(request, [InvoiceIn("X-1", DAY, D("100.00"), "某")], user=world["dealer"])

    assert unproven.value.message_dict["evidence"] == [
        "Upload the proof this activity needs first: Attendee list, Invoice."
    ]
    for outsider in (world["manager"], make_user(Role.SALES), world["dealer"]):
        with pytest.raises(PermissionDenied):
            claim_approve(claim, user=outsider)


def test_settlement_credits_the_wallet_once_and_the_fund_ledger_pays(world):
    request = proven(world)
    claim = claim_submit(request, [InvoiceIn("S-1", DAY, D("3800.00"), "某")], user=world["dealer"])
    finance = make_user(Role.FINANCE)
    claim_approve(claim, user=finance)
    wallet_before = balances(world["partner"])["prepaid"]

    with pytest.raises(PermissionDenied):
        claim_settle(claim, actor=world["manager"])
    settled = claim_settle(claim, actor=finance)
    with translation.override("en"), pytest.raises(ValidationError) as twice:
        claim_settle(claim, actor=finance)

    saved = MdfClaim.objects.get(pk=claim.pk)
    assert (settled.status, saved.settled_as, saved.ledger_entry.amount) == (
        ClaimStatus.SETTLED,
        SettledAs.WALLET,
        D("3800.00"),
    )
    assert balances(world["partner"])["prepaid"] == wallet_before + D("3800.00")
    assert twice.value.messages == ["Only approved claims are settled, once."]
    assert totals(world["allocation"]) == (D("10000.00"), 0, 0, D("3800.00"), 0, D("6200.00"))


def test_a_payout_needs_its_reference_and_leaves_the_wallet_alone(world):
    request = proven(world)
    claim = claim_submit(request, [InvoiceIn("P-1", DAY, D("1000.00"), "某")], user=world["dealer"])
    finance = make_user(Role.FINANCE)
    claim_approve(claim, user=finance)
    wallet_before = balances(world["partner"])["prepaid"]

    with translation.override("en"), pytest.raises(ValidationError) as no_reference:
        claim_settle(claim, actor=finance, settled_as=SettledAs.PAYOUT)
    claim_settle(claim, actor=finance, settled_as=SettledAs.PAYOUT, payout_reference="ICBC-77")

    saved = MdfClaim.objects.get(pk=claim.pk)
    assert no_reference.value.message_dict["payout_reference"] == [
        "Enter the bank transfer's reference for a payout."
    ]
    assert (saved.status, saved.payout_reference, saved.ledger_entry) == (
        ClaimStatus.SETTLED,
        "ICBC-77",
        None,
    )
    assert balances(world["partner"])["prepaid"] == wallet_before
    assert totals(world["allocation"])[3] == D("1000.00")


def test_a_claimed_request_can_no_longer_be_cancelled(world):
    other = request_approve(
        request_submit(draft(world, ("展位", "5000.00")), user=world["dealer"]),
        user=world["manager"],
    )
    request = proven(world, ("场地", "3000.00"))
    claim = claim_submit(
        request, [InvoiceIn("FP-9", DAY, D("3000.00"), "会场")], user=world["dealer"]
    )
    in_review = totals(world["allocation"])
    claim_approve(claim, user=make_user(Role.FINANCE))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        request_cancel(request, user=world["dealer"])

    assert refused.value.messages == [
        "This request has been claimed; it can no longer be cancelled."
    ]
    assert in_review == (D("10000.00"), D("8000.00"), 0, 0, 0, D("2000.00"))
    # Only the other request's 5,000.00 stays reserved; the claim holds the 3,000.00.
    assert totals(world["allocation"]) == (
        D("10000.00"),
        D("5000.00"),
        D("3000.00"),
        0,
        0,
        D("2000.00"),
    )
    assert MdfRequest.objects.get(pk=other.pk).status == "approved"


def test_proof_no_longer_changes_once_the_request_is_claimed(world):
    request = proven(world, ("场地", "3000.00"))
    claim = claim_submit(
        request, [InvoiceIn("FP-7", DAY, D("3000.00"), "会场")], user=world["dealer"]
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        evidence_add(request, SimpleUploadedFile("d.png", PNG), kind="photo", user=world["dealer"])
    claim_reject(claim, user=make_user(Role.FINANCE), reason="照片不清晰")
    added = evidence_add(
        request, SimpleUploadedFile("e.png", PNG), kind="photo", user=world["dealer"]
    )

    assert refused.value.messages == ["The request is claimed; its proof can no longer change."]
    assert request.evidence.count() == 4
    assert added.kind == "photo"


def test_claims_are_taken_until_the_deadline_and_a_reclaim_after_it_is_refused(world, today):
    request = proven(world, ("场地", "3000.00"))  # activity on 2026-12-10: claim by 2027-02-08
    invoice = [InvoiceIn("FP-8", DAY, D("3000.00"), "会场")]
    today["day"] = date(2027, 2, 8)
    claim = claim_submit(request, invoice, user=world["dealer"])
    claim_reject(claim, user=make_user(Role.FINANCE), reason="缺少盖章")
    today["day"] = date(2027, 2, 9)

    with translation.override("en"), pytest.raises(ValidationError) as late:
        claim_submit(request, invoice, user=world["dealer"])

    assert late.value.messages == ["The claim deadline (2027-02-08) has passed."]
    assert MdfClaim.objects.filter(request=request).count() == 1
    assert totals(world["allocation"]) == (D("10000.00"), D("3000.00"), 0, 0, 0, D("7000.00"))
