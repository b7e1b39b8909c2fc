"""Partner money: services (writes) and selectors (reads) for the three accounts of a partner.

Sign convention
---------------
Every posting is a signed ``Decimal`` that is *added* to one account's balance.

* ``prepaid`` (预存款) and ``rebate`` (返利): the balance is money the partner has. A positive
  amount adds to it (top-up, the remainder of a payment, a refund, a rebate settlement); a
  negative amount spends it (an order). The balance never goes below zero.
* ``credit`` (信用额度): the balance is credit *used*, what the partner owes. A positive amount
  draws credit (an order on credit); a negative amount pays it back (a payment, the refund of an
  order placed on credit). Credit used never goes below zero, and a draw never takes it above
  ``Partner.credit_limit``. Paying back is always allowed, also when the limit was lowered below
  what is already used.

*Spending* is therefore a negative prepaid or rebate amount, or a positive credit amount. While a
partner's balances are frozen for final settlement (termination), spending is refused unless the
entry is an ``ADJUSTMENT``; money coming in (payments, top-ups, refunds) is still booked.

Concurrency
-----------
A balance changes only through one conditional ``UPDATE … WHERE … RETURNING`` per posting. The row
lock it takes serialises concurrent postings on one account until their transactions end, and
PostgreSQL re-checks the ``WHERE`` against the committed balance, so concurrent orders can never
overdraw a wallet or exceed the credit limit; the entry stores the ``balance_after`` that the
``UPDATE`` returned. A service that moves several accounts in one transaction locks them first
with :func:`accounts_lock` (primary-key order), so two such services cannot deadlock.

Who may see and do what: partner users see their own partner's money; finance and vendor admins
see every partner's and record payments and decide top-ups; channel managers see the partners
they own. Other vendor roles do not see partner money.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.events import payment_emitted
from orders.models import (
    TOP_UP_TRANSITIONS,
    Account,
    AccountKind,
    EntryKind,
    LedgerEntry,
    Order,
    Payment,
    PaymentMethod,
    TopUpRequest,
    TopUpStatus,
    TopUpStatusChange,
)
from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner
from prm.core.files import validate_upload
from prm.core.money import DECIMAL_PLACES, MoneyField, to_decimal
from prm.core.numbering import next_number
from prm.core.templatetags.humanize_money import money
from prm.core.widgets import SearchSelect
from prm.core.workflow import InvalidTransition, transition, transition_start
from prm.tenancy.selectors import current_tenant, tenant_today, tenant_zone

ZERO = Decimal("0.00")
_CENT = Decimal(1).scaleb(-DECIMAL_PLACES)

# Finance and vendor admins move money; channel managers also read their own partners' ledgers.
FINANCE_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
LEDGER_VIEW_ROLES = FINANCE_ROLES | {Role.CHANNEL_MANAGER}

PROOF_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}
PAYMENT_PREFIX = "PAY"
TOP_UP_PREFIX = "TU"


class InsufficientFunds(ValidationError):
    """A posting the account cannot cover: it names the account, what is available and the
    shortfall (also kept as attributes for callers that try another account)."""

    def __init__(
        self,
        message: Any,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        *,
        kind: str = "",
        available: Decimal = ZERO,
        shortfall: Decimal = ZERO,
    ) -> None:
        super().__init__(message, code, params)
        self.kind = kind
        self.available = available
        self.shortfall = shortfall


# --- permissions --------------------------------------------------------------------------------


def ledger_can_view(user: Any) -> bool:
    """Vendor staff who may open finance pages (rows are still scoped per partner)."""
    return active_user(user) and user.role in LEDGER_VIEW_ROLES


def ledger_can_manage(user: Any) -> bool:
    """Record payments, approve or reject top-ups: finance and vendor admins."""
    return active_user(user) and user.role in FINANCE_ROLES


def _require_finance(actor: Any) -> None:
    if not ledger_can_manage(actor):
        raise PermissionDenied


# --- accounts and balances ----------------------------------------------------------------------


def account_for(partner: Partner, kind: AccountKind | str) -> Account:
    """The partner's account of `kind`, created (at zero) the first time it is needed."""
    account, _created = Account.objects.get_or_create(partner=partner, kind=AccountKind(kind))
    return account


def accounts_lock(*, partner: Partner, kinds: Iterable[AccountKind | str]) -> dict[str, Account]:
    """Create the partner's accounts of `kinds` if missing and lock them in primary-key order.

    For services that move several accounts in one transaction: locking in one fixed order means
    two of them can never wait for each other. Must run inside a transaction.
    """
    wanted = sorted({AccountKind(kind) for kind in kinds})
    locked = Account.objects.filter(partner=partner, kind__in=wanted).order_by("pk")
    found = {account.kind: account for account in locked.select_for_update()}
    if len(found) < len(wanted):  # the first time: make the missing ones, then lock them all
        Account.objects.bulk_create(
            [Account(partner=partner, kind=kind) for kind in wanted if kind not in found],
            ignore_conflicts=True,
        )
        found = {account.kind: account for account in locked.select_for_update()}
    return found


def balances(partner: Partner) -> dict[str, Decimal]:
    """Prepaid, rebate and credit used, the credit limit and what is left of it (one query)."""

    def total(kind: AccountKind) -> Coalesce:
        return Coalesce(
            Sum("accounts__balance", filter=Q(accounts__kind=kind)),
            Value(ZERO, output_field=MoneyField()),
        )

    row = (
        Partner.objects.filter(pk=partner.pk)
        .annotate(
            prepaid=total(AccountKind.PREPAID),
            rebate=total(AccountKind.REBATE),
            credit=total(AccountKind.CREDIT),
        )
        .values("prepaid", "rebate", "credit", "credit_limit")
        .get()
    )
    result = {key: to_decimal(value) for key, value in row.items()}
    result["credit_available"] = max(result["credit_limit"] - result["credit"], ZERO)
    return result


def _money_text(amount: Decimal) -> str:
    return money(amount, current_tenant().currency)


def _too_long(limit: int) -> str:
    return _("At most %(n)d characters.") % {"n": limit}


def _exact_amount(amount: Decimal) -> Decimal:
    """A finite Decimal with at most the column's decimal places; never a float."""
    value = to_decimal(amount)
    if not value.is_finite() or value != value.quantize(_CENT):
        raise ValueError(f"amount {value} must be a finite Decimal with at most two decimal places")
    return value


# --- posting ------------------------------------------------------------------------------------


def _spends(kind: AccountKind, amount: Decimal) -> bool:
    return amount > 0 if kind == AccountKind.CREDIT else amount < 0


def _frozen_error() -> ValidationError:
    return ValidationError(_("Balances are frozen for final settlement."), code="frozen")


# The whole balance change is this one statement; the conditions are what a posting must satisfy.
_UPDATE = (
    "UPDATE orders_account SET balance = balance + %(amount)s "
    "WHERE id = %(account)s AND balance + %(amount)s >= 0"
)
_WITHIN_CREDIT_LIMIT = (
    " AND balance + %(amount)s <= "
    "(SELECT p.credit_limit FROM partners_partner p WHERE p.id = orders_account.partner_id)"
)
_NOT_FROZEN = (
    " AND NOT EXISTS (SELECT 1 FROM partners_partner p "
    "WHERE p.id = orders_account.partner_id AND p.balances_frozen)"
)
_RETURNING = " RETURNING balance"


def _apply(
    *, account_id: int, amount: Decimal, cap_at_limit: bool, refuse_if_frozen: bool
) -> Decimal | None:
    """The one conditional UPDATE that moves a balance; None when its conditions refused it."""
    parts = [_UPDATE]
    if cap_at_limit:
        parts.append(_WITHIN_CREDIT_LIMIT)
    if refuse_if_frozen:
        parts.append(_NOT_FROZEN)
    parts.append(_RETURNING)
    with connection.cursor() as cursor:
        cursor.execute("".join(parts), {"account": account_id, "amount": amount})
        row = cursor.fetchone()
    return None if row is None else to_decimal(row[0])


def _refusal(
    *, account: Account, kind: AccountKind, amount: Decimal, refuse_if_frozen: bool
) -> ValidationError:
    """Why the UPDATE matched no row, read after the fact (only on this failure path)."""
    balance, limit, frozen = (
        Account.objects.filter(pk=account.pk)
        .values_list("balance", "partner__credit_limit", "partner__balances_frozen")
        .get()
    )
    if refuse_if_frozen and frozen:
        return _frozen_error()
    if kind == AccountKind.CREDIT and amount < 0:
        return ValidationError(
            _("Only %(used)s of credit is used; %(amount)s cannot be paid back.")
            % {"used": _money_text(balance), "amount": _money_text(-amount)},
            code="overpaid",
        )
    if kind == AccountKind.CREDIT:
        available = max(limit - balance, ZERO)
        shortfall = amount - available
        message = _(
            "This exceeds the credit limit: %(available)s of credit is available, "
            "%(shortfall)s short."
        )
        code = "credit_limit"
    else:
        available = balance
        shortfall = -amount - available
        message = _("%(account)s has %(available)s available, %(shortfall)s short.")
        code = "insufficient_funds"
    return InsufficientFunds(
        message
        % {
            "account": kind.label,
            "available": _money_text(available),
            "shortfall": _money_text(shortfall),
        },
        code=code,
        kind=kind,
        available=available,
        shortfall=shortfall,
    )


def ledger_post(
    *,
    partner: Partner,
    kind: AccountKind | str,
    amount: Decimal,
    entry_kind: EntryKind | str,
    order: Order | None = None,
    memo: str = "",
    reference: str = "",
    actor: Any = None,
    account: Account | None = None,
) -> LedgerEntry:
    """Add `amount` to the partner's `kind` account and write the entry; see the module doc for
    signs. Raises InsufficientFunds (nothing written) when the account cannot cover it,
    ValidationError when frozen balances would be spent, ValueError for a zero amount.

    `account`: the account, locked by the caller's transaction (`accounts_lock`). That caller
    decides for its whole transaction, so no savepoint is taken and a refusal rolls it all back;
    without it, the posting is its own savepoint and a caller may catch a refusal and go on."""
    with transaction.atomic(savepoint=account is None):
        return _post(
            partner=partner, kind=kind, amount=amount, entry_kind=entry_kind, order=order,
            memo=memo, reference=reference, actor=actor, account=account,
        )  # fmt: skip


def _post(
    *,
    partner: Partner,
    kind: AccountKind | str,
    amount: Decimal,
    entry_kind: EntryKind | str,
    order: Order | None,
    memo: str,
    reference: str,
    actor: Any,
    account: Account | None,
) -> LedgerEntry:
    account_kind = AccountKind(kind)
    entry = EntryKind(entry_kind)
    value = _exact_amount(amount)
    if value == 0:
        raise ValueError("a ledger posting must move the balance; amount 0 is refused")
    reference, memo = (reference or "").strip(), (memo or "").strip()
    if len(reference) > 64:
        raise ValidationError({"reference": _too_long(64)})
    if len(memo) > 300:
        raise ValidationError({"memo": _too_long(300)})
    refuse_if_frozen = _spends(account_kind, value) and entry != EntryKind.ADJUSTMENT
    if refuse_if_frozen and partner.balances_frozen:
        raise _frozen_error()
    if account is None or account.partner_id != partner.pk or account.kind != account_kind:
        account = account_for(partner, account_kind)
    balance_after = _apply(
        account_id=account.pk,
        amount=value,
        cap_at_limit=account_kind == AccountKind.CREDIT and value > 0,
        refuse_if_frozen=refuse_if_frozen,
    )
    if balance_after is None:
        raise _refusal(
            account=account, kind=account_kind, amount=value, refuse_if_frozen=refuse_if_frozen
        )
    account.balance = balance_after
    return LedgerEntry.objects.create(
        account=account,
        kind=entry,
        amount=value,
        balance_after=balance_after,
        order=order,
        memo=memo,
        reference=reference,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- top-ups (预存款充值) ------------------------------------------------------------------------


def _amount_errors(amount: Any) -> str | None:
    try:
        value = _exact_amount(amount)
    except (TypeError, ValueError, ArithmeticError):
        return _("Enter an amount with at most two decimal places.")
    if value <= 0:
        return _("The amount must be more than zero.")
    return None


@transaction.atomic
def top_up_submit(
    *,
    partner: Partner,
    user: Any,
    amount: Decimal,
    transferred_on: date,
    bank_reference: str,
    proof: UploadedFile,
) -> TopUpRequest:
    """A partner's user says it transferred money and attaches the bank slip (PDF, PNG, JPEG)."""
    if not (active_user(user) and user.is_partner_user and user.partner_id == partner.pk):
        raise PermissionDenied
    errors: dict[str, Any] = {}
    if message := _amount_errors(amount):
        errors["amount"] = message
    if transferred_on > tenant_today():
        errors["transferred_on"] = _("The transfer date cannot be in the future.")
    bank_reference = (bank_reference or "").strip()
    if len(bank_reference) > 64:
        errors["bank_reference"] = _too_long(64)
    kind = None
    try:
        kind = validate_upload(proof)
    except ValidationError as exc:
        errors["proof"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert kind is not None
    top_up = TopUpRequest(
        partner=partner,
        amount=to_decimal(amount),
        transferred_on=transferred_on,
        bank_reference=bank_reference,
        submitted_by=user,
    )
    # The sequence step rolls back with everything else if anything below fails.
    top_up.number = next_number(TOP_UP_PREFIX)
    top_up.proof.save(f"{top_up.number}.{PROOF_EXTENSIONS[kind]}", proof, save=False)
    top_up.save()
    transition_start(top_up, history_model=TopUpStatusChange, history_fk="request", actor=user)
    return top_up


def _decide(request: TopUpRequest, to_status: str, *, actor: Any, reason: str) -> TopUpRequest:
    try:
        moved = transition(
            request,
            to_status,
            table=TOP_UP_TRANSITIONS,
            history_model=TopUpStatusChange,
            history_fk="request",
            actor=actor,
            reason=reason,
        )
    except InvalidTransition as exc:
        raise ValidationError(
            _("This top-up request has already been decided."), code="decided"
        ) from exc
    assert isinstance(moved, TopUpRequest)
    return moved


@transaction.atomic
def top_up_approve(*, request: TopUpRequest, actor: Any) -> TopUpRequest:
    """Finance saw the money arrive: the request is approved and the wallet credited, once."""
    _require_finance(actor)
    moved = _decide(request, TopUpStatus.APPROVED, actor=actor, reason="")
    ledger_post(
        partner=moved.partner,
        kind=AccountKind.PREPAID,
        amount=moved.amount,
        entry_kind=EntryKind.TOP_UP,
        reference=moved.number,
        memo=moved.bank_reference,
        actor=actor,
    )
    return moved


@transaction.atomic
def top_up_reject(*, request: TopUpRequest, actor: Any, reason: str) -> TopUpRequest:
    """The money did not arrive (or not as claimed); the partner sees the reason."""
    _require_finance(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the top-up is rejected.")})
    return _decide(request, TopUpStatus.REJECTED, actor=actor, reason=reason)


# --- payments (回款) -----------------------------------------------------------------------------


def _same_payment(existing: Payment, *, partner: Partner, amount: Any) -> Payment:
    """An ERP that sends one external id twice gets the first payment back; a different partner
    or amount under the same id is a conflict, not a repeat."""
    if existing.partner_id != partner.pk or existing.amount != to_decimal(amount):
        raise ValidationError(
            {
                "external_id": _(
                    "%(id)s was already recorded as %(number)s with another partner or amount."
                )
                % {"id": existing.external_id, "number": existing.number}
            }
        )
    return existing


@transaction.atomic
def payment_record(
    *,
    partner: Partner,
    amount: Decimal,
    received_on: date | None = None,
    method: PaymentMethod | str,
    reference: str = "",
    actor: Any = None,
    source: str = "manual",
    external_id: str = "",
    received_at: datetime | None = None,
) -> Payment:
    """Money received from a partner: it pays off credit used first, the rest goes to prepaid.

    `actor` is None only for system callers (ERP sync); a person must be finance or an admin.
    With an `external_id`, recording the same (source, external_id) again returns the first
    payment and posts nothing. Bank and ERP feeds that carry a time pass `received_at` (aware)
    instead of `received_on`: the day received is then its date in the vendor's time zone, so a
    payment at 23:30 on 31 March in Asia/Shanghai counts in March, whatever the server's zone.
    """
    if actor is not None:
        _require_finance(actor)
    if received_at is not None:
        local_day = timezone.localtime(received_at, tenant_zone()).date()
        if received_on is not None and received_on != local_day:
            raise ValueError(f"received_on {received_on} contradicts received_at {received_at}")
        received_on = local_day
    if received_on is None:
        raise ValueError("give received_on or received_at")
    source = (source or "").strip() or "manual"
    external_id = (external_id or "").strip()
    if external_id:
        existing = Payment.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return _same_payment(existing, partner=partner, amount=amount)
    errors: dict[str, Any] = {}
    if message := _amount_errors(amount):
        errors["amount"] = message
    if received_on > tenant_today():
        errors["received_on"] = _("The date received cannot be in the future.")
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose a payment method.")
    reference = (reference or "").strip()
    for field, text, limit in (
        ("reference", reference, 64),
        ("source", source, 16),
        ("external_id", external_id, 64),
    ):
        if len(text) > limit:
            errors[field] = _too_long(limit)
    if errors:
        raise ValidationError(errors)
    value = _exact_amount(amount)
    payment = Payment(
        partner=partner,
        amount=value,
        method=method,
        received_on=received_on,
        reference=reference,
        source=source,
        external_id=external_id,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        # A concurrent sync of the same external id waits here, then fails the unique
        # constraint; the savepoint also takes back this call's sequence step.
        with transaction.atomic():
            payment.number = next_number(PAYMENT_PREFIX)
            payment.save()
    except IntegrityError:
        if not external_id:
            raise
        existing = Payment.objects.get(source=source, external_id=external_id)
        return _same_payment(existing, partner=partner, amount=value)
    # Credit used is read under the lock, so a concurrent order cannot change it in between.
    accounts = accounts_lock(partner=partner, kinds=[AccountKind.CREDIT, AccountKind.PREPAID])
    payoff = min(value, accounts[AccountKind.CREDIT].balance)
    rest = value - payoff
    for kind, posted in ((AccountKind.CREDIT, -payoff), (AccountKind.PREPAID, rest)):
        if posted:
            ledger_post(
                partner=partner,
                kind=kind,
                amount=posted,
                entry_kind=EntryKind.PAYMENT,
                reference=payment.number,
                memo=reference,
                actor=actor,
            )
    return payment_emitted(payment)


# --- selectors ----------------------------------------------------------------------------------


def _money_scope(qs: QuerySet[Any], user: Any, *, partner_path: str) -> QuerySet[Any]:
    # Vendor roles outside finance (sales, marketing, order desk) do not read partners' money.
    if getattr(user, "is_vendor_staff", False) and not ledger_can_view(user):
        return qs.none()
    return scope_to_partner(qs, user, partner_path=partner_path)


def ledger_entries_visible_to(user: Any) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related("account", "order", "actor")
    return _money_scope(qs, user, partner_path="account__partner")


def top_ups_visible_to(user: Any) -> QuerySet[TopUpRequest]:
    qs = TopUpRequest.objects.select_related("partner", "submitted_by")
    return _money_scope(qs, user, partner_path="partner")


def top_up_get_visible(*, user: Any, pk: int) -> TopUpRequest | None:
    return top_ups_visible_to(user).filter(pk=pk).first()


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("partner", "recorded_by")
    return _money_scope(qs, user, partner_path="partner")


def _visible_partners(request: HttpRequest | None) -> QuerySet[Partner]:
    return partners_visible_to(getattr(request, "user", None)).order_by("name")


class TopUpFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=TopUpStatus.choices,
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=_visible_partners,
        label=gettext_lazy("Partner"),
        widget=SearchSelect("partners:search"),
    )

    class Meta:
        model = TopUpRequest
        fields = ["status", "partner"]

    def search(self, qs: QuerySet[TopUpRequest], name: str, value: str) -> QuerySet[TopUpRequest]:
        return qs.filter(
            Q(number__icontains=value)
            | Q(bank_reference__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(partner__name_en__icontains=value)
        )


class LedgerEntryFilter(django_filters.FilterSet):
    account = django_filters.ChoiceFilter(
        field_name="account__kind",
        choices=AccountKind.choices,
        label=gettext_lazy("Account"),
        empty_label=gettext_lazy("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=EntryKind.choices, label=gettext_lazy("Entry"), empty_label=gettext_lazy("All")
    )

    class Meta:
        model = LedgerEntry
        fields = ["account", "kind"]
