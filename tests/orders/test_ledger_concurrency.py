"""Many postings on one account at the same moment (real committed transactions, real threads).

The conditional UPDATE must let exactly as many through as the balance or the credit limit
covers, each with its own balance_after, and refuse the rest without writing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from orders.ledger import (
    InsufficientFunds,
    ledger_post,
    payment_record,
    top_up_approve,
    top_up_submit,
)
from orders.models import AccountKind, EntryKind, LedgerEntry, Payment, TopUpRequest
from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

D = Decimal
ATTEMPTS = 40


def _partner(**kw: Any) -> int:
    # Applied, not active: activation starts onboarding, which these tests do not need.
    return make_partner(status=PartnerStatus.APPLIED, **kw).pk


def _attempt(partner_id: int, kind: str, amount: Decimal) -> Callable[[], str]:
    def attempt() -> str:
        partner = Partner.objects.get(pk=partner_id)
        try:
            with translation.override("en"):  # threads do not inherit the test's language
                ledger_post(partner=partner, kind=kind, amount=amount, entry_kind=EntryKind.ORDER)
        except InsufficientFunds as exc:
            return f"refused: {exc.code}"
        return "ok"

    return attempt


def _outcome(partner_id: int, kind: str) -> tuple[Decimal, list[Decimal], int]:
    def read() -> tuple[Decimal, list[Decimal], int]:
        entries = LedgerEntry.objects.filter(account__partner_id=partner_id, account__kind=kind)
        balance = Partner.objects.get(pk=partner_id).accounts.get(kind=kind).balance
        return (
            balance,
            sorted(entries.values_list("balance_after", flat=True)),
            entries.count(),
        )

    return in_thread("alpha", read)


def test_forty_credit_draws_against_a_limit_of_ten_let_exactly_ten_through(tenant_a):
    partner_id = in_thread("alpha", lambda: _partner(credit_limit=D("1000.00")))
    try:
        results = run_concurrently(
            "alpha", [_attempt(partner_id, AccountKind.CREDIT, D("100.00"))] * ATTEMPTS
        )
        used, balances_after, entries = _outcome(partner_id, AccountKind.CREDIT)

        assert results.count("ok") == 10
        assert results.count("refused: credit_limit") == ATTEMPTS - 10
        assert used == D("1000.00")
        assert entries == 10
        assert balances_after == [D("100.00") * n for n in range(1, 11)]
    finally:
        in_thread("alpha", lambda: _remove(partner_id))


def test_forty_wallet_debits_take_only_what_the_balance_covers(tenant_a):
    def setup() -> int:
        partner_id = _partner()
        ledger_post(
            partner=Partner.objects.get(pk=partner_id),
            kind=AccountKind.PREPAID,
            amount=D("500.00"),
            entry_kind=EntryKind.TOP_UP,
        )
        return partner_id

    partner_id = in_thread("alpha", setup)
    try:
        results = run_concurrently(
            "alpha", [_attempt(partner_id, AccountKind.PREPAID, D("-30.00"))] * ATTEMPTS
        )
        balance, balances_after, entries = _outcome(partner_id, AccountKind.PREPAID)

        assert results.count("ok") == 16
        assert results.count("refused: insufficient_funds") == ATTEMPTS - 16
        assert balance == D("20.00")
        assert entries == 1 + 16  # the top-up and the debits that went through
        assert balances_after == sorted(
            [D("500.00")] + [D("500.00") - 30 * n for n in range(1, 17)]
        )
    finally:
        in_thread("alpha", lambda: _remove(partner_id))


def test_concurrent_approvals_and_repeated_erp_payments_post_once(tenant_a):
    def setup() -> dict[str, int]:
        partner = make_partner(status=PartnerStatus.APPLIED, credit_limit=D("1000.00"))
        dealer = make_user(Role.PARTNER_USER, partner=partner)
        ledger_post(
            partner=partner, kind=AccountKind.CREDIT, amount=D("100.00"), entry_kind="order"
        )
        top_up = top_up_submit(
            partner=partner,
            user=dealer,
            amount=D("300.00"),
            transferred_on=timezone.localdate(),
            bank_reference="B-1",
            proof=SimpleUploadedFile("slip.pdf", b"%PDF-1.4 slip"),
        )
        return {
            "partner": partner.pk,
            "dealer": dealer.pk,
            "finance": make_user(Role.FINANCE).pk,
            "top_up": top_up.pk,
        }

    ids = in_thread("alpha", setup)
    try:

        def approve() -> str:
            top_up = TopUpRequest.objects.get(pk=ids["top_up"])
            try:
                top_up_approve(request=top_up, actor=User.objects.get(pk=ids["finance"]))
            except ValidationError:
                return "refused"
            return "ok"

        def pay() -> int:
            return payment_record(
                partner=Partner.objects.get(pk=ids["partner"]),
                amount=D("150.00"),
                received_on=timezone.localdate(),
                method="bank_transfer",
                source="kingdee",
                external_id=f"RV-{ids['partner']}",
            ).pk

        approvals = run_concurrently("alpha", [approve] * 5)
        payments = run_concurrently("alpha", [pay] * 5)

        def read() -> tuple[Any, ...]:
            entries = LedgerEntry.objects.filter(account__partner_id=ids["partner"])
            return (
                Payment.objects.filter(partner_id=ids["partner"]).count(),
                sorted(entries.values_list("kind", "account__kind", "amount", "balance_after")),
            )

        payment_count, entries = in_thread("alpha", read)

        assert sorted(approvals) == ["ok"] + ["refused"] * 4
        assert len(set(payments)) == 1
        assert payment_count == 1
        assert entries == [
            ("order", "credit", D("100.00"), D("100.00")),
            ("payment", "credit", D("-100.00"), D("0.00")),
            ("payment", "prepaid", D("50.00"), D("350.00")),
            ("top_up", "prepaid", D("300.00"), D("300.00")),
        ]
    finally:
        in_thread("alpha", lambda: _remove(ids["partner"], users=[ids["dealer"], ids["finance"]]))


def _remove(partner_id: int, *, users: tuple[int, ...] | list[int] = ()) -> None:
    # Only the rows this test committed, in SQL, children first; an unexpected foreign key
    # (something new hanging on a partner) fails here instead of leaving rows behind.
    statements = [
        "DELETE FROM orders_ledgerentry WHERE account_id IN "
        "(SELECT id FROM orders_account WHERE partner_id = %(p)s)",
        "DELETE FROM orders_account WHERE partner_id = %(p)s",
        "DELETE FROM orders_payment WHERE partner_id = %(p)s",
        "DELETE FROM orders_topupstatuschange WHERE request_id IN "
        "(SELECT id FROM orders_topuprequest WHERE partner_id = %(p)s)",
        "DELETE FROM orders_topuprequest WHERE partner_id = %(p)s",
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = ANY(%(u)s)",
        "DELETE FROM accounts_user WHERE id = ANY(%(u)s)",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = %(p)s",
        "DELETE FROM auditlog_logentry WHERE object_pk = %(p)s::text AND content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'partners' AND model = 'partner')",
        "DELETE FROM reports_rolluppending WHERE partner_id = %(p)s",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = %(p)s",
        "DELETE FROM reports_partnermonth WHERE partner_id = %(p)s",
        "DELETE FROM partners_partner WHERE id = %(p)s",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"p": partner_id, "u": list(users)})
