"""The money services: postings, limits, frozen balances, top-ups and payments (exact Decimals)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from orders.ledger import (
    InsufficientFunds,
    account_for,
    balances,
    ledger_entries_visible_to,
    ledger_post,
    payment_record,
    top_up_approve,
    top_up_reject,
    top_up_submit,
    top_ups_visible_to,
)
from orders.models import (
    Account,
    AccountKind,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    TopUpRequest,
    TopUpStatus,
)
from partners.models import Partner, PartnerStatus
from partners.services import partner_set_status
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.4\n% bank slip\n"


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are asserted in English."""
    with translation.override("en"):
        yield


def slip(name: str = "slip.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def post(partner: Partner, kind: str, amount: str, **kw: Any) -> LedgerEntry:
    kw.setdefault("entry_kind", EntryKind.ADJUSTMENT)
    return ledger_post(partner=partner, kind=kind, amount=D(amount), **kw)


def balance(partner: Partner, kind: str) -> Decimal:
    return Account.objects.get(partner=partner, kind=kind).balance


def entry_count(partner: Partner) -> int:
    return LedgerEntry.objects.filter(account__partner=partner).count()


@pytest.fixture
def partner(in_a: Any) -> Partner:
    return make_partner(credit_limit=D("1000.00"))


@pytest.fixture
def finance(in_a: Any) -> Any:
    return make_user(Role.FINANCE)


@pytest.fixture
def dealer_user(partner: Partner) -> Any:
    return make_user(Role.PARTNER_USER, partner=partner)


# --- ledger_post --------------------------------------------------------------------------------


def test_postings_move_the_balance_and_record_each_balance_after(partner, finance):
    amounts = ["500.00", "-120.50", "0.50", "-380.00", "25.25"]

    entries = [
        post(partner, AccountKind.PREPAID, a, entry_kind=EntryKind.TOP_UP, actor=finance)
        for a in amounts
    ]

    assert [e.balance_after for e in entries] == [
        D("500.00"),
        D("379.50"),
        D("380.00"),
        D("0.00"),
        D("25.25"),
    ]
    stored = LedgerEntry.objects.filter(account__partner=partner).order_by("pk")
    assert [(e.amount, e.balance_after) for e in stored] == [
        (D(a), e.balance_after) for a, e in zip(amounts, entries, strict=True)
    ]
    assert {e.account.kind for e in stored} == {AccountKind.PREPAID}
    assert {e.actor_id for e in stored} == {finance.pk}
    assert balance(partner, AccountKind.PREPAID) == D("25.25")


def test_a_refused_debit_writes_nothing_and_names_account_and_shortfall(partner):
    post(partner, AccountKind.PREPAID, "100.00")
    before = entry_count(partner)

    with pytest.raises(InsufficientFunds) as refused:
        post(partner, AccountKind.PREPAID, "-100.01", entry_kind=EntryKind.ORDER)

    assert refused.value.messages == ["Prepaid wallet has ¥100.00 available, ¥0.01 short."]
    assert (refused.value.available, refused.value.shortfall) == (D("100.00"), D("0.01"))
    assert refused.value.code == "insufficient_funds"
    assert entry_count(partner) == before
    assert balance(partner, AccountKind.PREPAID) == D("100.00")


def test_spending_from_an_account_never_funded_creates_nothing(partner):
    with pytest.raises(InsufficientFunds) as refused:
        post(partner, AccountKind.REBATE, "-0.01", entry_kind=EntryKind.ORDER)

    assert refused.value.messages == ["Rebate credit has ¥0.00 available, ¥0.01 short."]
    assert not Account.objects.filter(partner=partner).exists()
    assert entry_count(partner) == 0


def test_zero_float_and_sub_cent_amounts_are_refused(partner):
    with pytest.raises(ValueError, match="amount 0"):
        post(partner, AccountKind.PREPAID, "0.00")
    with pytest.raises(TypeError, match="float"):
        ledger_post(
            partner=partner,
            kind="prepaid",
            amount=1.5,
            entry_kind="adjustment",
        )
    with pytest.raises(ValueError, match="two decimal places"):
        post(partner, AccountKind.PREPAID, "1.005")
    with pytest.raises(ValueError, match="savings"):
        post(partner, "savings", "1.00")

    assert entry_count(partner) == 0


def test_credit_used_never_exceeds_the_partner_credit_limit(partner):
    draws = [
        post(partner, AccountKind.CREDIT, a, entry_kind=EntryKind.ORDER)
        for a in ("600.00", "400.00")
    ]

    with pytest.raises(InsufficientFunds) as full:
        post(partner, AccountKind.CREDIT, "0.01", entry_kind=EntryKind.ORDER)
    repaid = post(partner, AccountKind.CREDIT, "-250.00", entry_kind=EntryKind.PAYMENT)
    with pytest.raises(InsufficientFunds) as over:
        post(partner, AccountKind.CREDIT, "300.00", entry_kind=EntryKind.ORDER)

    assert [d.balance_after for d in draws] == [D("600.00"), D("1000.00")]
    assert full.value.messages == [
        "This exceeds the credit limit: ¥0.00 of credit is available, ¥0.01 short."
    ]
    assert full.value.code == "credit_limit"
    assert repaid.balance_after == D("750.00")
    assert over.value.messages == [
        "This exceeds the credit limit: ¥250.00 of credit is available, ¥50.00 short."
    ]
    assert balances(partner) == {
        "prepaid": D("0.00"),
        "rebate": D("0.00"),
        "credit": D("750.00"),
        "credit_limit": D("1000.00"),
        "credit_available": D("250.00"),
    }
    assert entry_count(partner) == 3


def test_a_lowered_limit_still_takes_repayments_but_no_new_draws(partner):
    post(partner, AccountKind.CREDIT, "800.00", entry_kind=EntryKind.ORDER)
    Partner.objects.filter(pk=partner.pk).update(credit_limit=D("500.00"))

    repaid = post(partner, AccountKind.CREDIT, "-100.00", entry_kind=EntryKind.PAYMENT)
    with pytest.raises(InsufficientFunds):
        post(partner, AccountKind.CREDIT, "0.01", entry_kind=EntryKind.ORDER)
    with pytest.raises(ValidationError) as overpaid:
        post(partner, AccountKind.CREDIT, "-700.01", entry_kind=EntryKind.PAYMENT)

    assert repaid.balance_after == D("700.00")
    assert overpaid.value.messages == [
        "Only ¥700.00 of credit is used; ¥700.01 cannot be paid back."
    ]
    assert balances(partner)["credit_available"] == D("0.00")
    assert balance(partner, AccountKind.CREDIT) == D("700.00")


def test_frozen_balances_cannot_be_spent_but_money_still_comes_in(partner, finance):
    post(partner, AccountKind.PREPAID, "200.00")
    post(partner, AccountKind.REBATE, "50.00")
    post(partner, AccountKind.CREDIT, "100.00", entry_kind=EntryKind.ORDER)
    partner_set_status(partner=partner, status=PartnerStatus.TERMINATED, reason="清退")
    partner.refresh_from_db()
    before = entry_count(partner)

    refused = []
    for kind, amount in (
        (AccountKind.PREPAID, "-10.00"),
        (AccountKind.REBATE, "-10.00"),
        (AccountKind.CREDIT, "10.00"),
    ):
        with pytest.raises(ValidationError) as exc:
            post(partner, kind, amount, entry_kind=EntryKind.ORDER)
        refused.append(exc.value.messages)
    unchanged = entry_count(partner)
    refund = post(partner, AccountKind.PREPAID, "10.00", entry_kind=EntryKind.ORDER_REFUND)
    paid = payment_record(
        partner=partner,
        amount=D("60.00"),
        received_on=timezone.localdate(),
        method=PaymentMethod.BANK_TRANSFER,
        actor=finance,
    )
    settled = post(partner, AccountKind.PREPAID, "-210.00", entry_kind=EntryKind.ADJUSTMENT)

    assert partner.balances_frozen is True
    assert refused == [["Balances are frozen for final settlement."]] * 3
    assert unchanged == before
    assert refund.balance_after == D("210.00")
    assert paid.amount == D("60.00")
    assert settled.balance_after == D("0.00")
    assert balances(partner) == {
        "prepaid": D("0.00"),
        "rebate": D("50.00"),
        "credit": D("40.00"),
        "credit_limit": D("1000.00"),
        "credit_available": D("960.00"),
    }


def test_a_stale_partner_object_cannot_spend_balances_frozen_meanwhile(partner):
    post(partner, AccountKind.PREPAID, "100.00")
    Partner.objects.filter(pk=partner.pk).update(balances_frozen=True)  # e.g. terminated just now

    with pytest.raises(ValidationError) as refused:
        post(partner, AccountKind.PREPAID, "-10.00", entry_kind=EntryKind.ORDER)

    assert partner.balances_frozen is False  # the caller's copy did not know
    assert refused.value.messages == ["Balances are frozen for final settlement."]
    assert balance(partner, AccountKind.PREPAID) == D("100.00")
    assert entry_count(partner) == 1


def test_balances_are_read_in_one_query_and_accounts_made_once(partner, django_assert_num_queries):
    with django_assert_num_queries(1):
        empty = balances(partner)
    first = account_for(partner, AccountKind.PREPAID)
    again = account_for(partner, "prepaid")
    post(partner, AccountKind.PREPAID, "12.34")
    post(partner, AccountKind.CREDIT, "1000.00", entry_kind=EntryKind.ORDER)
    with django_assert_num_queries(1):
        filled = balances(partner)

    assert empty == {
        "prepaid": D("0.00"),
        "rebate": D("0.00"),
        "credit": D("0.00"),
        "credit_limit": D("1000.00"),
        "credit_available": D("1000.00"),
    }
    assert first.pk == again.pk
    assert Account.objects.filter(partner=partner, kind=AccountKind.PREPAID).count() == 1
    assert filled["prepaid"] == D("12.34")
    assert filled["credit_available"] == D("0.00")


# --- top-ups ------------------------------------------------------------------------------------


def _submit(partner: Partner, user: Any, **kw: Any) -> TopUpRequest:
    return top_up_submit(
        partner=partner,
        user=user,
        amount=kw.pop("amount", D("1000.00")),
        transferred_on=kw.pop("transferred_on", timezone.localdate()),
        bank_reference=kw.pop("bank_reference", "ICBC-20260301-0001"),
        proof=kw.pop("proof", slip()),
    )


def test_top_up_is_submitted_with_its_proof_and_history(partner, dealer_user):
    top_up = _submit(partner, dealer_user)

    assert top_up.number.startswith("TU-")
    assert top_up.status == TopUpStatus.SUBMITTED
    assert top_up.submitted_by == dealer_user
    assert top_up.proof.name.endswith(f"{top_up.number}.pdf")
    assert top_up.proof.open("rb").read() == PDF
    assert list(top_up.status_changes.values_list("from_status", "to_status")) == [
        ("", "submitted")
    ]
    assert entry_count(partner) == 0


def test_bad_top_ups_are_refused_at_their_fields_and_nothing_is_saved(partner, dealer_user):
    before = TopUpRequest.objects.count()

    with pytest.raises(ValidationError) as refused:
        _submit(
            partner,
            dealer_user,
            amount=D("0.00"),
            transferred_on=timezone.localdate() + timedelta(days=2),
            proof=SimpleUploadedFile(
                "slip.pdf", b"not really a pdf", content_type="application/pdf"
            ),
        )

    assert set(refused.value.message_dict) == {"amount", "transferred_on", "proof"}
    assert "not an allowed file type" in refused.value.message_dict["proof"][0]
    assert TopUpRequest.objects.count() == before


def test_only_the_partner_own_users_submit_top_ups(partner, finance):
    stranger = make_user(Role.PARTNER_ADMIN, partner=make_partner())

    for user in (finance, stranger):
        with pytest.raises(PermissionDenied):
            _submit(partner, user)

    assert not TopUpRequest.objects.filter(partner=partner).exists()


def test_approving_credits_the_wallet_exactly_once(partner, dealer_user, finance):
    top_up = _submit(partner, dealer_user, amount=D("1234.56"))

    approved = top_up_approve(request=top_up, actor=finance)
    with pytest.raises(ValidationError) as twice:
        top_up_approve(request=TopUpRequest.objects.get(pk=top_up.pk), actor=finance)
    with pytest.raises(ValidationError):
        top_up_reject(request=top_up, actor=finance, reason="late")

    entry = LedgerEntry.objects.get(account__partner=partner)
    assert approved.status == TopUpStatus.APPROVED
    assert twice.value.messages == ["This top-up request has already been decided."]
    assert (entry.kind, entry.amount, entry.balance_after, entry.reference) == (
        EntryKind.TOP_UP,
        D("1234.56"),
        D("1234.56"),
        top_up.number,
    )
    assert entry.account.kind == AccountKind.PREPAID
    assert entry.actor == finance
    assert balance(partner, AccountKind.PREPAID) == D("1234.56")
    assert list(top_up.status_changes.order_by("pk").values_list("to_status", "actor_id")) == [
        ("submitted", dealer_user.pk),
        ("approved", finance.pk),
    ]


def test_rejecting_needs_a_reason_and_posts_nothing(partner, dealer_user, finance):
    top_up = _submit(partner, dealer_user)

    with pytest.raises(ValidationError) as no_reason:
        top_up_reject(request=top_up, actor=finance, reason="  ")
    top_up.refresh_from_db()
    still = top_up.status
    rejected = top_up_reject(request=top_up, actor=finance, reason="No such transfer on 3 March")

    assert no_reason.value.message_dict == {"reason": ["Say why the top-up is rejected."]}
    assert still == TopUpStatus.SUBMITTED
    assert rejected.status == TopUpStatus.REJECTED
    assert top_up.status_changes.latest("pk").reason == "No such transfer on 3 March"
    assert entry_count(partner) == 0


def test_only_finance_and_admins_decide_top_ups(partner, dealer_user, finance, vendor_admin):
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
    first, second = _submit(partner, dealer_user), _submit(partner, dealer_user)
    partner_admin = make_user(Role.PARTNER_ADMIN, partner=partner)

    for actor in (dealer_user, partner_admin, manager, make_user(Role.SALES), None):
        with pytest.raises(PermissionDenied):
            top_up_approve(request=first, actor=actor)
        with pytest.raises(PermissionDenied):
            top_up_reject(request=first, actor=actor, reason="no")
    first.refresh_from_db()
    unchanged = first.status
    top_up_approve(request=first, actor=finance)
    top_up_approve(request=second, actor=vendor_admin)

    assert unchanged == TopUpStatus.SUBMITTED
    assert balance(partner, AccountKind.PREPAID) == D("2000.00")


# --- payments -----------------------------------------------------------------------------------


def _pay(partner: Partner, amount: str, **kw: Any) -> Payment:
    kw.setdefault("actor", None)
    return payment_record(
        partner=partner,
        amount=D(amount),
        received_on=kw.pop("received_on", timezone.localdate()),
        method=kw.pop("method", PaymentMethod.BANK_TRANSFER),
        **kw,
    )


def _payment_entries(payment: Payment) -> list[tuple[str, Decimal, Decimal]]:
    return list(
        LedgerEntry.objects.filter(reference=payment.number, kind=EntryKind.PAYMENT)
        .order_by("pk")
        .values_list("account__kind", "amount", "balance_after")
    )


def test_a_payment_pays_off_credit_first_and_the_rest_goes_to_prepaid(partner, finance):
    post(partner, AccountKind.CREDIT, "300.00", entry_kind=EntryKind.ORDER)
    post(partner, AccountKind.PREPAID, "50.00")

    partial = _pay(partner, "120.00", actor=finance, reference="BANK-1")
    rest = _pay(partner, "500.00", actor=finance)
    only_prepaid = _pay(partner, "0.01", actor=finance)

    assert partial.number.startswith("PAY-")
    assert partial.recorded_by == finance
    assert _payment_entries(partial) == [("credit", D("-120.00"), D("180.00"))]
    assert _payment_entries(rest) == [
        ("credit", D("-180.00"), D("0.00")),
        ("prepaid", D("320.00"), D("370.00")),
    ]
    assert _payment_entries(only_prepaid) == [("prepaid", D("0.01"), D("370.01"))]
    assert balances(partner) == {
        "prepaid": D("370.01"),
        "rebate": D("0.00"),
        "credit": D("0.00"),
        "credit_limit": D("1000.00"),
        "credit_available": D("1000.00"),
    }


def test_an_erp_payment_is_recorded_once_per_external_id(partner):
    post(partner, AccountKind.CREDIT, "100.00", entry_kind=EntryKind.ORDER)

    first = _pay(partner, "150.00", source="kingdee", external_id="RV-2026-0042")
    again = _pay(partner, "150.00", source="kingdee", external_id="RV-2026-0042")
    other_erp = _pay(partner, "150.00", source="u8", external_id="RV-2026-0042")
    with pytest.raises(ValidationError) as conflict:
        _pay(partner, "999.00", source="kingdee", external_id="RV-2026-0042")

    assert again.pk == first.pk
    assert other_erp.pk != first.pk
    assert Payment.objects.filter(partner=partner).count() == 2
    assert _payment_entries(first) == [
        ("credit", D("-100.00"), D("0.00")),
        ("prepaid", D("50.00"), D("50.00")),
    ]
    assert set(conflict.value.message_dict) == {"external_id"}
    assert balance(partner, AccountKind.PREPAID) == D("200.00")


def test_payments_are_recorded_by_finance_admins_or_the_erp_only(partner, dealer_user):
    manager = make_user(Role.CHANNEL_MANAGER)

    for actor in (dealer_user, manager, make_user(Role.ORDER_DESK)):
        with pytest.raises(PermissionDenied):
            _pay(partner, "10.00", actor=actor)
    with pytest.raises(ValidationError) as bad:
        _pay(
            partner,
            "-5.00",
            actor=None,
            method="cheque",
            received_on=timezone.localdate() + timedelta(days=1),
        )

    assert set(bad.value.message_dict) == {"amount", "method", "received_on"}
    assert not Payment.objects.filter(partner=partner).exists()
    assert entry_count(partner) == 0


# --- selectors ----------------------------------------------------------------------------------


def test_money_rows_are_visible_to_their_partner_its_manager_and_finance(
    partner, dealer_user, finance
):
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
    other = make_partner()
    mine = post(partner, AccountKind.PREPAID, "10.00")
    theirs = post(other, AccountKind.PREPAID, "20.00")
    top_up = _submit(partner, dealer_user)
    stranger = make_user(Role.PARTNER_USER, partner=other)

    def seen(user: Any) -> set[int]:
        return set(ledger_entries_visible_to(user).values_list("pk", flat=True))

    assert seen(dealer_user) == {mine.pk}
    assert seen(stranger) == {theirs.pk}
    assert seen(manager) == {mine.pk}
    assert {mine.pk, theirs.pk} <= seen(finance)
    assert seen(make_user(Role.SALES)) == set()
    assert seen(make_user(Role.CHANNEL_MANAGER)) == set()
    assert list(top_ups_visible_to(dealer_user)) == [top_up]
    assert list(top_ups_visible_to(stranger)) == []
    assert list(top_ups_visible_to(make_user(Role.MARKETING))) == []
    assert top_up in top_ups_visible_to(finance)
