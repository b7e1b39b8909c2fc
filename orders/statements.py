"""Monthly reconciliation statements (对账单): services (writes) and selectors (reads).

The statement balance
---------------------
A statement follows one number per partner, its *net position* with the vendor::

    balance = prepaid wallet + rebate credit - credit used

Positive means the vendor holds the partner's money; negative that the partner owes. Every ledger
entry moves it by its *effect* (see `orders.ledger` for the sign of ``LedgerEntry.amount``):

* a ``prepaid`` or ``rebate`` entry: ``+amount`` (a top-up of 500 raises the net by 500; an order
  paid from the wallet, amount -300, lowers it by 300);
* a ``credit`` entry: ``-amount`` (a credit draw of 100, amount +100, lowers the net by 100;
  paying 100 of credit back, amount -100, raises it by 100).

So an order paid partly from the wallet and partly on credit lowers the net by its whole total,
and a payment that pays off credit raises it by what was paid, whichever account it lands in.

What a statement holds
----------------------
The month runs from midnight of its first day to midnight of the next month's first day in the
vendor's time zone (never UTC). ``opening_balance`` is the effect of every entry before the month;
each ``StatementLine`` is one entry of the month in ``(created_at, pk)`` order, with its effect as
``amount`` and the running net after it as ``balance``; the totals group the effects by entry
kind (``KIND_TOTALS``) and ``closing_balance = opening_balance + all effects`` equals the opening
plus the five totals. Lines are a snapshot: ledger entries are append-only and entries are only
ever booked at "now", so a month that has ended does not change afterwards.

A statement is generated once per partner and month (a unique constraint; a second call, or a
concurrent one, returns the first statement unchanged) and only after its month has ended. The
partner's admin then confirms it or disputes it with a comment.

Who sees statements: like the ledger, the partner's own users, vendor admins and finance (every
partner) and channel managers (the partners they own). Other vendor roles see none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.ledger import ledger_can_view
from orders.models import (
    AccountKind,
    EntryKind,
    LedgerEntry,
    Statement,
    StatementLine,
    StatementStatus,
)
from partners.models import Partner, PartnerStatus
from partners.selectors import partners_visible_to
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner
from prm.core.money import MoneyField, to_decimal
from prm.core.numbering import next_number
from prm.core.widgets import SearchSelect
from prm.tenancy.selectors import current_tenant, tenant_zone

ZERO = Decimal("0.00")
STATEMENT_PREFIX = "ST"
COMMENT_MAX_LENGTH = 2000

# Which total each entry kind adds to. Every EntryKind is listed (a test checks it), so a new
# kind has to be placed deliberately instead of vanishing from the totals.
KIND_TOTALS: dict[str, str] = {
    EntryKind.ORDER: "orders_total",
    EntryKind.PAYMENT: "payments_total",
    EntryKind.TOP_UP: "payments_total",
    EntryKind.RETURN: "returns_total",
    EntryKind.ORDER_REFUND: "returns_total",
    EntryKind.REBATE: "rebates_total",
    EntryKind.ADJUSTMENT: "other_total",
    # A market-fund claim paid into the wallet reimburses spending; it is not a rebate.
    EntryKind.MDF: "other_total",
}
TOTAL_FIELDS = ("orders_total", "payments_total", "returns_total", "rebates_total", "other_total")

# The partner answers an issued statement once.
STATEMENT_TRANSITIONS: dict[str, set[str]] = {
    StatementStatus.ISSUED: {StatementStatus.CONFIRMED, StatementStatus.DISPUTED},
    StatementStatus.CONFIRMED: set(),
    StatementStatus.DISPUTED: set(),
}

# Partners stated every month: trading, paused, or terminated and waiting for final settlement.
STATED_PARTNERS = Q(status__in=[PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED]) | Q(
    status=PartnerStatus.TERMINATED, balances_frozen=True
)


# --- the arithmetic -----------------------------------------------------------------------------


def entry_effect(*, account_kind: str, amount: Decimal) -> Decimal:
    """What one entry does to the net balance (see the module doc)."""
    return -amount if account_kind == AccountKind.CREDIT else amount


def _effect_sql() -> Case:
    return Case(
        When(account__kind=AccountKind.CREDIT, then=-F("amount")),
        default=F("amount"),
        output_field=MoneyField(),
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_next(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_previous(day: date) -> date:
    """The first day of the month before the one `day` falls in."""
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def month_bounds(period: date) -> tuple[datetime, datetime]:
    """[start, next start) of the month `period` as aware datetimes in the vendor's time zone."""
    tz = tenant_zone()
    return (
        datetime.combine(period, time.min, tzinfo=tz),
        datetime.combine(month_next(period), time.min, tzinfo=tz),
    )


def _check_period(period: date) -> tuple[datetime, datetime]:
    if not isinstance(period, date) or isinstance(period, datetime) or period.day != 1:
        raise ValidationError(
            {
                "period": ValidationError(
                    _("A statement month is given by its first day."), code="first_day"
                )
            }
        )
    start, end = month_bounds(period)
    if timezone.now() < end:
        message = _("%(month)s has not ended yet; it can be stated from %(when)s.") % {
            "month": f"{period:%Y-%m}",
            "when": f"{month_next(period):%Y-%m-%d}",
        }
        raise ValidationError({"period": ValidationError(message, code="open_month")})
    return start, end


def _detail(entry: LedgerEntry) -> str:
    """Kind, order no. or reference, account, and what the memo adds (300 characters at most)."""
    ref = entry.order.number if entry.order_id and entry.order else entry.reference
    memo = entry.memo
    if ref and ref in memo:
        # Checkout writes "Order SO-…", cancellation "Order SO-…: reason": keep only the reason.
        memo = memo.split(ref, 1)[1].lstrip(" :：·-—,，")
    head = " ".join(part for part in (str(EntryKind(entry.kind).label), ref) if part)
    parts = [head, str(AccountKind(entry.account.kind).label)]
    if entry.reference and entry.reference != ref:
        parts.append(entry.reference)
    if memo:
        parts.append(memo)
    return " · ".join(parts)[:300]


@dataclass(frozen=True)
class _Draft:
    opening: Decimal
    totals: dict[str, Decimal]
    closing: Decimal
    lines: list[StatementLine]


def _draft(*, partner: Partner, start: datetime, end: datetime) -> _Draft:
    entries = LedgerEntry.objects.filter(account__partner=partner)
    opening = to_decimal(
        entries.filter(created_at__lt=start).aggregate(
            total=Coalesce(Sum(_effect_sql()), Value(ZERO, output_field=MoneyField()))
        )["total"]
    )
    month = (
        entries.filter(created_at__gte=start, created_at__lt=end)
        .select_related("account", "order")
        .order_by("created_at", "pk")
    )
    totals = dict.fromkeys(TOTAL_FIELDS, ZERO)
    balance = opening
    lines: list[StatementLine] = []
    # Descriptions are a snapshot: written in the vendor's language, whoever triggers the run.
    with translation.override(current_tenant().default_language):
        for entry in month:
            effect = entry_effect(account_kind=entry.account.kind, amount=entry.amount)
            totals[KIND_TOTALS[entry.kind]] += effect
            balance += effect
            lines.append(
                StatementLine(
                    entry=entry,
                    booked_at=entry.created_at,
                    description=_detail(entry),
                    amount=effect,
                    balance=balance,
                )
            )
    if balance != opening + sum(totals.values()):
        raise AssertionError("statement totals do not add up to the closing balance")
    return _Draft(opening=opening, totals=totals, closing=balance, lines=lines)


# --- services -----------------------------------------------------------------------------------


def _existing(partner: Partner, period: date) -> Statement | None:
    return Statement.objects.filter(partner=partner, period=period).first()


@transaction.atomic
def _generate(*, partner: Partner, period: date) -> tuple[Statement, bool]:
    start, end = _check_period(period)
    existing = _existing(partner, period)
    if existing is not None:
        return existing, False
    draft = _draft(partner=partner, start=start, end=end)
    statement = Statement(
        partner=partner,
        period=period,
        opening_balance=draft.opening,
        closing_balance=draft.closing,
        status=StatementStatus.ISSUED,
        **draft.totals,
    )
    try:
        # A concurrent run for the same partner and month fails the unique constraint here; the
        # savepoint also takes back this call's sequence step, so numbers stay gap-free.
        with transaction.atomic():
            statement.number = next_number(STATEMENT_PREFIX)
            statement.save()
    except IntegrityError:
        return Statement.objects.get(partner=partner, period=period), False
    for line in draft.lines:
        line.statement = statement
    StatementLine.objects.bulk_create(draft.lines)
    return statement, True


def statement_generate(*, partner: Partner, period: date) -> Statement:
    """The partner's statement of the month starting on `period` (a first day), made once.

    Returns the existing statement unchanged when there is one. Raises ValidationError at
    "period" for a date that is not a first day or a month that has not ended (its statement
    would miss the rest of the month and never be corrected).
    """
    return _generate(partner=partner, period=period)[0]


def statements_generate_month(*, period: date) -> int:
    """State the month for every partner that has an account (with entries before the month's
    end) and is active, suspended, or terminated with frozen balances; returns how many
    statements were created.

    Each partner's statement is its own transaction, so a second run (or one after a failure)
    creates only what is missing.
    """
    _start, end = _check_period(period)
    # An account with entries before the month's end: a quiet month is still stated (opening =
    # closing), a month before the partner's first money is not.
    partners = (
        Partner.objects.filter(STATED_PARTNERS)
        .filter(
            Exists(LedgerEntry.objects.filter(account__partner=OuterRef("pk"), created_at__lt=end))
        )
        .exclude(Exists(Statement.objects.filter(partner=OuterRef("pk"), period=period)))
        .order_by("pk")
    )
    created = 0
    for partner in partners.iterator(chunk_size=200):
        _statement, new = _generate(partner=partner, period=period)
        created += new
    return created


def statement_can_respond(user: Any, statement: Statement) -> bool:
    """The partner's own admin, while the statement waits for an answer."""
    return statement_is_responder(user, statement) and statement.status == StatementStatus.ISSUED


def statement_is_responder(user: Any, statement: Statement) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.PARTNER_ADMIN
        and user.partner_id == statement.partner_id
    )


def _respond(statement: Statement, to_status: str, *, user: Any, comment: str) -> Statement:
    if not statement_is_responder(user, statement):
        raise PermissionDenied
    locked = Statement.objects.select_for_update().get(pk=statement.pk)
    if to_status not in STATEMENT_TRANSITIONS.get(locked.status, set()):
        raise ValidationError(
            _("This statement has already been answered (%(status)s).")
            % {"status": locked.get_status_display()},
            code="answered",
        )
    locked.status = to_status
    locked.partner_comment = comment
    locked.responded_by = user
    locked.responded_at = timezone.now()
    locked._audit_reason = comment  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "partner_comment", "responded_by", "responded_at"])
    return locked


@transaction.atomic
def statement_confirm(*, statement: Statement, user: Any) -> Statement:
    """The partner's admin agrees with the statement."""
    return _respond(statement, StatementStatus.CONFIRMED, user=user, comment="")


@transaction.atomic
def statement_dispute(*, statement: Statement, user: Any, comment: str) -> Statement:
    """The partner's admin disagrees and says why; finance sees the comment."""
    if not statement_is_responder(user, statement):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what does not match your records.")})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("At most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}}
        )
    return _respond(statement, StatementStatus.DISPUTED, user=user, comment=comment)


# --- selectors ----------------------------------------------------------------------------------


def statements_visible_to(user: Any) -> QuerySet[Statement]:
    """Statements `user` may read: the ledger's rule (vendor roles outside finance see none)."""
    qs = Statement.objects.select_related("partner", "responded_by")
    if getattr(user, "is_vendor_staff", False) and not ledger_can_view(user):
        return qs.none()
    return scope_to_partner(qs, user, partner_path="partner")


def statement_get_visible(*, user: Any, pk: int) -> Statement | None:
    return statements_visible_to(user).filter(pk=pk).first()


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return statement.lines.order_by("booked_at", "pk")


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as the browser's month input sends it, "2026-10", cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            return None
        try:
            return datetime.strptime(text, "%Y-%m").date()
        except ValueError as exc:
            raise ValidationError(_("Enter a month as YYYY-MM."), code="invalid") from exc


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def _visible_partners(request: HttpRequest | None) -> QuerySet[Partner]:
    return partners_visible_to(getattr(request, "user", None)).order_by("name")


class PartnerStatementFilter(django_filters.FilterSet):
    """The partner portal's filters: its own statements by status and month."""

    status = django_filters.ChoiceFilter(
        choices=StatementStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    period = MonthFilter(field_name="period", label=gettext_lazy("Month"))

    class Meta:
        model = Statement
        fields = ["status", "period"]


class StatementFilter(PartnerStatementFilter):
    """The vendor portal's filters; pass `request` so the partner choices are the visible ones."""

    partner = django_filters.ModelChoiceFilter(
        queryset=_visible_partners,
        label=gettext_lazy("Partner"),
        widget=SearchSelect("partners:search"),
    )

    class Meta:
        model = Statement
        fields = ["status", "period", "partner"]
