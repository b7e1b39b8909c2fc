"""Monthly statements: the net balance, month boundaries in the vendor's time zone, idempotence,
the partner's answer, the monthly run and the nightly task."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from orders.checkout import CheckoutLine, checkout
from orders.ledger import balances, ledger_post, payment_record
from orders.models import (
    AccountKind,
    EntryKind,
    LedgerEntry,
    Order,
    Statement,
    StatementLine,
    StatementStatus,
)
from orders.statements import (
    KIND_TOTALS,
    TOTAL_FIELDS,
    month_bounds,
    month_previous,
    statement_confirm,
    statement_dispute,
    statement_generate,
    statements_generate_month,
)
from orders.statements_tasks import generate_statements
from orders.workflow import order_cancel
from partners.models import Partner, PartnerStatus
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.core.audit import audit_events_for
from prm.tenancy.selectors import tenant_today
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user

from .mall import build_mall, fund

pytestmark = pytest.mark.django_db

D = Decimal
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = date(2026, 10, 1)


def at(*args: int) -> datetime:
    """A moment on the vendor's (Asia/Shanghai) wall clock."""
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def vendor(in_a: Any) -> Any:
    """Vendor A in English (statement descriptions are written in the vendor's language)."""
    in_a.default_language = "en"
    with translation.override("en"):
        yield in_a


class Booker:
    """Entries are booked at 'now'; tests move the ones not yet placed to a moment in the past."""

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self.since = timezone.now() - timedelta(seconds=1)

    def book(self, moment: datetime) -> list[LedgerEntry]:
        fresh = LedgerEntry.objects.filter(
            account__partner=self.partner, created_at__gte=self.since
        ).order_by("pk")
        moved = list(fresh)
        fresh.update(created_at=moment)
        return moved


def _post(partner: Partner, kind: str, amount: str, entry_kind: str, **kw: Any) -> None:
    ledger_post(partner=partner, kind=kind, amount=D(amount), entry_kind=entry_kind, **kw)


@pytest.fixture
def month(vendor: Any) -> dict[str, Any]:
    """A dealer's realistic October 2026, with 2000.00 on its wallet from September.

    Sep 15  adjustment            +2000.00 prepaid               net  2000.00 (opening)
    Oct  2  top-up                +1000.00 prepaid               net  3000.00
    Oct  8  order A 4 x 899.00    -3000.00 prepaid, +596.00 credit    -596.00
    Oct 12  payment 2500.00       -596.00 credit, +1904.00 prepaid    1904.00
    Oct 15  order B 3 x 899.00    -1904.00 prepaid, +793.00 credit    -793.00
    Oct 16  order B cancelled     +1904.00 prepaid, -793.00 credit    1904.00
    Oct 20  rebate settlement     +150.00 rebate                      2054.00
    Oct 25  return credit         +100.00 prepaid                     2154.00
    Oct 30  adjustment (bank fee) -20.00 prepaid                      2134.00 (closing)
    Nov  1  adjustment            +5.00 prepaid (next month)
    """
    mall = build_mall()
    partner = mall.partner
    finance = make_user(Role.FINANCE)
    booker = Booker(partner)

    fund(partner, prepaid="2000.00")
    booker.book(at(2026, 9, 15, 10, 0))
    _post(
        partner,
        AccountKind.PREPAID,
        "1000.00",
        EntryKind.TOP_UP,
        reference="TU-0001",
        memo="CMB 7788",
    )
    booker.book(at(2026, 10, 2, 9, 0))
    order_a = checkout(partner=partner, lines=[CheckoutLine(mall.lock, 4)], actor=mall.buyer)
    booker.book(at(2026, 10, 8, 10, 0))  # both entries at one moment: pk decides their order
    payment = payment_record(
        partner=partner,
        amount=D("2500.00"),
        received_on=tenant_today(),
        method="bank_transfer",
        reference="回款-1001",
        actor=finance,
    )
    booker.book(at(2026, 10, 12, 14, 0))
    order_b = checkout(partner=partner, lines=[CheckoutLine(mall.lock, 3)], actor=mall.buyer)
    booker.book(at(2026, 10, 15, 11, 0))
    order_cancel(order=order_b, actor=mall.buyer, reason="客户取消")
    booker.book(at(2026, 10, 16, 9, 30))
    _post(partner, AccountKind.REBATE, "150.00", EntryKind.REBATE, reference="RS-2026-09")
    booker.book(at(2026, 10, 20, 16, 0))
    _post(partner, AccountKind.PREPAID, "100.00", EntryKind.RETURN, reference="RMA-0001")
    booker.book(at(2026, 10, 25, 8, 0))
    _post(partner, AccountKind.PREPAID, "-20.00", EntryKind.ADJUSTMENT, memo="bank fee")
    booker.book(at(2026, 10, 30, 17, 0))
    _post(partner, AccountKind.PREPAID, "5.00", EntryKind.ADJUSTMENT, memo="next month")
    booker.book(at(2026, 11, 1, 0, 0))
    return {
        "mall": mall,
        "partner": partner,
        "order_a": order_a,
        "order_b": order_b,
        "payment": payment,
        "finance": finance,
    }


def test_a_realistic_month_adds_up_to_the_cent(month):
    partner = month["partner"]
    a, b, pay = month["order_a"].number, month["order_b"].number, month["payment"].number

    statement = statement_generate(partner=partner, period=OCTOBER)

    assert (a, b) != ("", "")
    assert (statement.period, statement.status) == (OCTOBER, StatementStatus.ISSUED)
    assert statement.number.startswith("ST-")
    assert statement.opening_balance == D("2000.00")
    assert statement.orders_total == D("-6293.00")  # 3000 + 596 + 1904 + 793 spent on orders
    assert statement.payments_total == D("3500.00")  # the top-up and the whole payment
    assert statement.returns_total == D("2797.00")  # order B's 1904 + 793 back, RMA 100
    assert statement.rebates_total == D("150.00")
    assert statement.other_total == D("-20.00")
    assert statement.closing_balance == D("2134.00")
    assert list(statement.lines.values_list("description", "amount", "balance")) == [
        ("Top-up TU-0001 · Prepaid wallet · CMB 7788", D("1000.00"), D("3000.00")),
        (f"Order {a} · Prepaid wallet", D("-3000.00"), D("0.00")),
        (f"Order {a} · Credit used", D("-596.00"), D("-596.00")),
        (f"Payment received {pay} · Credit used · 回款-1001", D("596.00"), D("0.00")),
        (f"Payment received {pay} · Prepaid wallet · 回款-1001", D("1904.00"), D("1904.00")),
        (f"Order {b} · Prepaid wallet", D("-1904.00"), D("0.00")),
        (f"Order {b} · Credit used", D("-793.00"), D("-793.00")),
        (
            f"Order cancelled or rejected {b} · Prepaid wallet · 客户取消",
            D("1904.00"),
            D("1111.00"),
        ),
        (f"Order cancelled or rejected {b} · Credit used · 客户取消", D("793.00"), D("1904.00")),
        ("Rebate settlement RS-2026-09 · Rebate credit", D("150.00"), D("2054.00")),
        ("Return credit RMA-0001 · Prepaid wallet", D("100.00"), D("2154.00")),
        ("Adjustment · Prepaid wallet · bank fee", D("-20.00"), D("2134.00")),
    ]
    first = statement.lines.order_by("booked_at", "pk").first()
    assert first.booked_at == at(2026, 10, 2, 9, 0)
    # The net position today is October's closing plus November's 5.00.
    money = balances(partner)
    assert money["prepaid"] + money["rebate"] - money["credit"] == D("2139.00")


def test_a_credit_draw_lowers_the_net_and_paying_it_back_raises_it(vendor):
    partner = make_partner(status=PartnerStatus.APPLIED, credit_limit=D("1000.00"))
    booker = Booker(partner)
    _post(partner, AccountKind.CREDIT, "100.00", EntryKind.ORDER)
    _post(partner, AccountKind.CREDIT, "-40.00", EntryKind.PAYMENT)
    booker.book(at(2026, 10, 10, 12, 0))

    statement = statement_generate(partner=partner, period=OCTOBER)

    assert list(statement.lines.values_list("amount", "balance")) == [
        (D("-100.00"), D("-100.00")),
        (D("40.00"), D("-60.00")),
    ]
    assert (statement.orders_total, statement.payments_total, statement.closing_balance) == (
        D("-100.00"),
        D("40.00"),
        D("-60.00"),
    )


def test_month_boundaries_are_midnight_in_the_vendors_time_zone(vendor):
    partner = make_partner(status=PartnerStatus.APPLIED)
    booker = Booker(partner)
    moments = [
        ("1.00", at(2026, 9, 30, 23, 59, 59)),  # September
        ("10.00", at(2026, 10, 1, 0, 0, 0)),  # October's first second (Sep 30 16:00 UTC)
        ("100.00", at(2026, 10, 31, 23, 59, 59)),  # October's last second
        ("1000.00", at(2026, 11, 1, 0, 0, 0)),  # November (Oct 31 16:00 UTC: October in UTC)
    ]
    for amount, moment in moments:
        _post(partner, AccountKind.PREPAID, amount, EntryKind.ADJUSTMENT, memo=amount)
        booker.book(moment)

    september = statement_generate(partner=partner, period=date(2026, 9, 1))
    october = statement_generate(partner=partner, period=OCTOBER)

    assert month_bounds(OCTOBER) == (at(2026, 10, 1), at(2026, 11, 1))
    assert (september.opening_balance, september.closing_balance) == (D("0.00"), D("1.00"))
    assert list(september.lines.values_list("amount", flat=True)) == [D("1.00")]
    assert (october.opening_balance, october.other_total, october.closing_balance) == (
        D("1.00"),
        D("110.00"),
        D("111.00"),
    )
    assert list(october.lines.values_list("amount", "booked_at")) == [
        (D("10.00"), at(2026, 10, 1, 0, 0, 0)),
        (D("100.00"), at(2026, 10, 31, 23, 59, 59)),
    ]


def test_entries_at_the_same_moment_run_in_booking_order(vendor):
    partner = make_partner(status=PartnerStatus.APPLIED)
    booker = Booker(partner)
    for amount in ("30.00", "-10.00", "5.00"):
        _post(partner, AccountKind.PREPAID, amount, EntryKind.ADJUSTMENT)
    booker.book(at(2026, 10, 5, 12, 0))

    statement = statement_generate(partner=partner, period=OCTOBER)

    assert list(statement.lines.values_list("amount", "balance")) == [
        (D("30.00"), D("30.00")),
        (D("-10.00"), D("20.00")),
        (D("5.00"), D("25.00")),
    ]


def test_a_quiet_month_is_stated_with_opening_equal_to_closing(vendor):
    partner = make_partner(status=PartnerStatus.APPLIED)
    booker = Booker(partner)
    _post(partner, AccountKind.REBATE, "88.00", EntryKind.REBATE)
    booker.book(at(2026, 8, 20, 12, 0))

    statement = statement_generate(partner=partner, period=OCTOBER)

    assert (statement.opening_balance, statement.closing_balance) == (D("88.00"), D("88.00"))
    assert [getattr(statement, f) for f in TOTAL_FIELDS] == [D("0.00")] * len(TOTAL_FIELDS)
    assert not statement.lines.exists()


def test_generating_again_returns_the_first_statement_unchanged(month):
    partner = month["partner"]
    first = statement_generate(partner=partner, period=OCTOBER)
    # An entry that (only in a test) lands in October afterwards does not rewrite the statement.
    late = LedgerEntry.objects.filter(account__partner=partner, memo="next month")
    late.update(created_at=at(2026, 10, 31, 12, 0))

    again = statement_generate(partner=partner, period=OCTOBER)

    assert again.pk == first.pk
    assert again.number == first.number
    assert again.closing_balance == D("2134.00")
    assert Statement.objects.filter(partner=partner).count() == 1
    assert StatementLine.objects.filter(statement=first).count() == 12


@pytest.mark.parametrize(
    ("period", "code"),
    [(date(2026, 10, 15), "first_day"), ("current month", "open_month")],
)
def test_a_period_must_be_the_first_day_of_a_month_that_has_ended(vendor, period, code):
    partner = make_partner(status=PartnerStatus.APPLIED)
    if period == "current month":
        period = tenant_today().replace(day=1)

    with pytest.raises(ValidationError) as caught:
        statement_generate(partner=partner, period=period)

    assert list(caught.value.error_dict) == ["period"]
    assert caught.value.error_dict["period"][0].code == code
    assert not Statement.objects.filter(partner=partner).exists()


def test_every_entry_kind_is_counted_in_one_total():
    assert set(KIND_TOTALS) == set(EntryKind.values)
    assert set(KIND_TOTALS.values()) == {
        "orders_total",
        "payments_total",
        "returns_total",
        "rebates_total",
        "other_total",
    }


# --- the partner's answer -----------------------------------------------------------------------


@pytest.fixture
def issued(month: dict[str, Any]) -> dict[str, Any]:
    partner = month["partner"]
    other = make_partner(status=PartnerStatus.APPLIED)
    return {
        **month,
        "statement": statement_generate(partner=partner, period=OCTOBER),
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner),
        "other_admin": make_user(Role.PARTNER_ADMIN, partner=other),
        "vendor_admin": make_user(Role.ADMIN),
    }


@pytest.mark.parametrize("who", ["buyer", "other_admin", "vendor_admin", "finance"])
def test_only_the_partners_own_admin_answers(issued, who):
    user = issued["mall"].buyer if who == "buyer" else issued[who]
    statement = issued["statement"]

    with pytest.raises(PermissionDenied):
        statement_confirm(statement=statement, user=user)
    with pytest.raises(PermissionDenied):
        statement_dispute(statement=statement, user=user, comment="不对")

    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED
    assert statement.responded_by is None


def test_the_admin_confirms_once(issued):
    statement, admin = issued["statement"], issued["admin"]

    confirmed = statement_confirm(statement=statement, user=admin)

    statement.refresh_from_db()
    assert (statement.status, statement.responded_by, statement.partner_comment) == (
        StatementStatus.CONFIRMED,
        admin,
        "",
    )
    assert confirmed.responded_at is not None
    assert abs(timezone.now() - statement.responded_at) < timedelta(minutes=1)
    with pytest.raises(ValidationError) as again:
        statement_confirm(statement=statement, user=admin)
    with pytest.raises(ValidationError) as dispute:
        statement_dispute(statement=statement, user=admin, comment="late")
    assert again.value.code == dispute.value.code == "answered"
    events = list(audit_events_for(statement))
    assert any(e.changes_dict.get("status") == ["issued", "confirmed"] for e in events), (
        "the answer is audited"
    )


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_dispute_needs_a_comment_at_its_field(issued, comment):
    statement = issued["statement"]

    with pytest.raises(ValidationError) as caught:
        statement_dispute(statement=statement, user=issued["admin"], comment=comment)

    assert list(caught.value.error_dict) == ["comment"]
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED


def test_a_dispute_records_the_comment_and_ends_the_answer(issued):
    statement, admin = issued["statement"], issued["admin"]

    statement_dispute(statement=statement, user=admin, comment="  RMA-0001 应为 120.00  ")

    statement.refresh_from_db()
    assert (statement.status, statement.partner_comment, statement.responded_by) == (
        StatementStatus.DISPUTED,
        "RMA-0001 应为 120.00",
        admin,
    )
    with pytest.raises(ValidationError):
        statement_confirm(statement=statement, user=admin)


# --- the monthly run and the nightly task -------------------------------------------------------


def _with_money(booker_moment: datetime, **kw: Any) -> Partner:
    partner = make_partner(**kw)
    booker = Booker(partner)
    _post(partner, AccountKind.PREPAID, "10.00", EntryKind.ADJUSTMENT)
    booker.book(booker_moment)
    return partner


def test_the_month_is_stated_for_trading_paused_and_frozen_partners(vendor):
    september = at(2026, 9, 10, 12, 0)
    active = _with_money(september, status=PartnerStatus.APPLIED)
    partner_set_status(partner=active, status=PartnerStatus.ACTIVE)
    suspended = _with_money(september, status=PartnerStatus.APPLIED)
    partner_set_status(partner=suspended, status=PartnerStatus.ACTIVE)
    partner_set_status(partner=suspended, status=PartnerStatus.SUSPENDED)
    terminated = _with_money(september, status=PartnerStatus.APPLIED)
    partner_set_status(partner=terminated, status=PartnerStatus.TERMINATED)
    applied = _with_money(september, status=PartnerStatus.APPLIED)
    no_money = make_partner(status=PartnerStatus.APPLIED)
    partner_set_status(partner=no_money, status=PartnerStatus.ACTIVE)
    money_only_later = _with_money(at(2026, 11, 2, 9, 0), status=PartnerStatus.APPLIED)
    partner_set_status(partner=money_only_later, status=PartnerStatus.ACTIVE)
    terminated.refresh_from_db()

    created = statements_generate_month(period=OCTOBER)
    again = statements_generate_month(period=OCTOBER)

    stated = set(Statement.objects.filter(period=OCTOBER).values_list("partner_id", flat=True))
    assert terminated.balances_frozen
    assert {active.pk, suspended.pk, terminated.pk} <= stated
    assert not stated & {applied.pk, no_money.pk, money_only_later.pk}
    assert created == len(stated)
    assert again == 0
    assert Statement.objects.get(partner=suspended, period=OCTOBER).closing_balance == D("10.00")


def test_the_nightly_task_states_last_month_once(vendor):
    last_month = month_previous(tenant_today())
    partner = _with_money(month_bounds(last_month)[0] + timedelta(days=3))
    already = Statement.objects.filter(period=last_month).count()

    first = generate_statements()
    second = generate_statements()

    statement = Statement.objects.get(partner=partner, period=last_month)
    assert first == Statement.objects.filter(period=last_month).count() - already >= 1
    assert second == 0
    assert (statement.opening_balance, statement.closing_balance) == (D("0.00"), D("10.00"))


# --- two runs at the same moment ----------------------------------------------------------------


def test_concurrent_generation_makes_one_statement(tenant_a):
    def setup() -> int:
        partner = make_partner(status=PartnerStatus.APPLIED)
        _post(partner, AccountKind.PREPAID, "42.00", EntryKind.ADJUSTMENT)
        LedgerEntry.objects.filter(account__partner=partner).update(
            created_at=at(2026, 10, 9, 9, 0)
        )
        return partner.pk

    partner_id = in_thread("alpha", setup)

    def generate() -> tuple[int, str]:
        statement = statement_generate(partner=Partner.objects.get(pk=partner_id), period=OCTOBER)
        return statement.pk, statement.number

    try:
        results = run_concurrently("alpha", [generate] * 6)
        rows = in_thread(
            "alpha",
            lambda: list(
                Statement.objects.filter(partner_id=partner_id).values_list(
                    "pk", "number", "closing_balance"
                )
            ),
        )

        assert len(rows) == 1
        assert set(results) == {rows[0][:2]}
        assert rows[0][2] == D("42.00")
    finally:
        in_thread("alpha", lambda: _remove(partner_id))


def _remove(partner_id: int) -> None:
    # Only the rows this test committed, children first.
    statements = [
        "DELETE FROM orders_statementline WHERE statement_id IN "
        "(SELECT id FROM orders_statement WHERE partner_id = %(p)s)",
        "DELETE FROM auditlog_logentry WHERE content_type_id = "
        "(SELECT id FROM django_content_type WHERE app_label = 'orders' AND model = 'statement') "
        "AND object_pk IN (SELECT id::text FROM orders_statement WHERE partner_id = %(p)s)",
        "DELETE FROM orders_statement WHERE partner_id = %(p)s",
        "DELETE FROM orders_ledgerentry WHERE account_id IN "
        "(SELECT id FROM orders_account WHERE partner_id = %(p)s)",
        "DELETE FROM orders_account WHERE partner_id = %(p)s",
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
            cursor.execute(sql, {"p": partner_id})


def test_orders_in_the_month_are_real_orders(month):
    # The fixture's orders went through checkout and cancellation, not hand-made entries.
    order_b = Order.objects.get(pk=month["order_b"].pk)
    assert order_b.status == "cancelled"
    assert (month["order_a"].paid_prepaid, month["order_a"].paid_credit) == (
        D("3000.00"),
        D("596.00"),
    )
