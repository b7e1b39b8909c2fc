"""The accrual engine: per program x partner x period, the basis, the band reached, the amount,
and the source rows that made up the basis (the explain lines).

Everything is set-based. Each source (order lines, shipment lines, payments, returns, sell-out)
is one queryset of contribution rows already carrying the id of the accrual it belongs to; the
engine copies those rows into ``RebateAccrualLine`` with one ``INSERT … SELECT`` per source and
then sums the lines per accrual in one aggregate query. The basis is therefore by construction
the sum of its explain lines, and no Python loop ever walks orders or payments.

Periods are local dates in the vendor's time zone: a timestamp counts in the period whose local
midnights enclose it (an order at 23:30 on 31 March in Asia/Shanghai is in Q1).

Returns (only RECEIVED ones: that is when the credit is booked) reduce the basis of the period
their original line belongs to (the order's period for ordered amount and quantity, the period of
the line's latest shipment for shipped amount), so a late return re-opens a settled period and
settlement books the difference as an adjustment. Cancelled and rejected orders never count.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Left, Round, TruncDate
from django.utils import timezone

from orders.models import (
    CLOSED_UNSHIPPED,
    OrderLine,
    Payment,
    ReturnLine,
    ReturnStatus,
    SellOut,
    ShipmentLine,
)
from partners.models import Partner, PartnerStatus, Region
from prm.tenancy.selectors import tenant_today, tenant_zone

from .models import (
    Basis,
    ProgramStatus,
    RebateAccrual,
    RebateAccrualLine,
    RebateProgram,
    RebateRun,
    SourceKind,
)
from .rules import apply_caps, periods, rebate_for

ZERO = Decimal("0.00")
_AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)


# --- who and what -------------------------------------------------------------------------------


def program_partners(program: RebateProgram) -> QuerySet[Partner]:
    """Partners eligible for `program`: every dimension left empty is no restriction; partners
    still in application never are."""
    qs = Partner.objects.exclude(status=PartnerStatus.APPLIED)
    named = list(program.partners.values_list("pk", flat=True))
    if named:
        qs = qs.filter(pk__in=named)
    tiers = list(program.tiers.values_list("pk", flat=True))
    if tiers:
        qs = qs.filter(tier__in=tiers)
    if program.partner_types:
        qs = qs.filter(partner_type__in=program.partner_types)
    regions = list(program.regions.values_list("level", "name"))
    if regions:
        # Partners keep their province and city as text; a Region matches by name at its level.
        where = Q()
        for level, name in regions:
            where |= Q(city=name) if level == Region.Level.CITY else Q(region=name)
        qs = qs.filter(where)
    return qs


def scope_q(program: RebateProgram, prefix: str) -> Q:
    """Q over the product at `prefix` ("product", "order_line__product"): in one of the program's
    product lines, categories (or their sub-categories) or SKUs when any is set, and never an
    excluded product. Gift lines are filtered by the callers, which know where the line is."""
    lines = list(program.product_lines.values_list("pk", flat=True))
    categories = list(program.categories.values_list("pk", flat=True))
    products = list(program.products.values_list("pk", flat=True))
    excluded = list(program.excluded_products.values_list("pk", flat=True))
    included = []
    if lines:
        included.append(Q(**{f"{prefix}__product_line__in": lines}))
    if categories:
        included.append(Q(**{f"{prefix}__category__in": categories}))
        included.append(Q(**{f"{prefix}__category__parent__in": categories}))
    if products:
        included.append(Q(**{f"{prefix}__pk__in": products}))
    where = reduce(operator.or_, included, Q()) if included else Q()
    if excluded:
        where &= ~Q(**{f"{prefix}__pk__in": excluded})
    return where


# --- contributions ------------------------------------------------------------------------------


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight starting `start` and local midnight after `end`, as aware datetimes."""
    zone = tenant_zone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _decimal(expression: Any) -> Any:
    return Cast(expression, output_field=_AMOUNT)


def _accrual_id(program: RebateProgram, start: date, partner_path: str) -> Subquery:
    return Subquery(
        RebateAccrual.objects.filter(
            program=program, period_start=start, partner=OuterRef(partner_path)
        ).values("pk")[:1]
    )


def contributions(
    program: RebateProgram, start: date, end: date, *, partner_ids: Iterable[int] | None = None
) -> list[QuerySet[Any]]:
    """One queryset per source whose rows are (accrual, partner, source, source_id, reference,
    occurred_on, amount), amounts signed (returns negative). `accrual` is the id of the stored
    accrual of that partner for the period, or None before the first recalculation.

    COLLECTED counts payments, which carry no products: the program's product scope does not
    apply to it. Sell-out has no returns (the partner reports net sales)."""
    zone = tenant_zone()
    since, until = _bounds(start, end)
    eligible = program_partners(program)
    if partner_ids is not None:
        eligible = eligible.filter(pk__in=list(partner_ids))
    basis = Basis(program.basis)
    rows: list[QuerySet[Any]] = []

    def shape(qs: QuerySet[Any], partner: str, kind: SourceKind, **columns: Any) -> None:
        # Only expressions in values(): their SELECT order is the order given, which the
        # INSERT … SELECT below relies on.
        rows.append(
            qs.filter(**{f"{partner}__in": eligible.values("pk")})
            .order_by()
            .values(
                accrual=_accrual_id(program, start, partner),
                partner_ref=F(partner),
                source_kind=Value(kind.value),
                **columns,
            )
        )

    if basis in (Basis.ORDERED, Basis.QUANTITY):
        in_period = Q(order__created_at__gte=since, order__created_at__lt=until)
        lines = OrderLine.objects.filter(
            in_period, scope_q(program, "product"), is_gift=False
        ).exclude(order__status__in=CLOSED_UNSHIPPED)
        shape(
            lines,
            "order__partner",
            SourceKind.ORDER_LINE,
            source_ref=F("pk"),
            reference_ref=F("order__number"),
            occurred=TruncDate("order__created_at", tzinfo=zone),
            value=F("line_total") if basis == Basis.ORDERED else _decimal(F("quantity")),
        )
        returns = ReturnLine.objects.filter(
            scope_q(program, "order_line__product"),
            request__status=ReturnStatus.RECEIVED,
            order_line__is_gift=False,
            order_line__order__created_at__gte=since,
            order_line__order__created_at__lt=until,
        ).exclude(order_line__order__status__in=CLOSED_UNSHIPPED)
        shape(
            returns,
            "order_line__order__partner",
            SourceKind.RETURN_LINE,
            source_ref=F("pk"),
            reference_ref=F("request__number"),
            occurred=TruncDate("request__created_at", tzinfo=zone),
            value=-F("refund") if basis == Basis.ORDERED else -_decimal(F("quantity")),
        )
    elif basis == Basis.SHIPPED:
        shipped = ShipmentLine.objects.filter(
            scope_q(program, "order_line__product"),
            order_line__is_gift=False,
            shipment__shipped_at__gte=since,
            shipment__shipped_at__lt=until,
        ).exclude(shipment__order__status__in=CLOSED_UNSHIPPED)
        # Priced at the line's net unit price, rounded to the cent per shipment line.
        unit_share = ExpressionWrapper(
            F("order_line__line_total") * F("quantity") / F("order_line__quantity"),
            output_field=_AMOUNT,
        )
        shape(
            shipped,
            "shipment__order__partner",
            SourceKind.SHIPMENT_LINE,
            source_ref=F("pk"),
            reference_ref=F("shipment__number"),
            occurred=TruncDate("shipment__shipped_at", tzinfo=zone),
            value=Round(unit_share, 2),
        )
        last_shipped = Subquery(
            ShipmentLine.objects.filter(order_line=OuterRef("order_line"))
            .order_by()
            .values("order_line")
            .annotate(last=Max("shipment__shipped_at"))
            .values("last")[:1]
        )
        returns = (
            ReturnLine.objects.filter(
                scope_q(program, "order_line__product"),
                request__status=ReturnStatus.RECEIVED,
                order_line__is_gift=False,
            )
            .alias(last_shipped=last_shipped)
            .filter(last_shipped__gte=since, last_shipped__lt=until)
        )
        shape(
            returns,
            "order_line__order__partner",
            SourceKind.RETURN_LINE,
            source_ref=F("pk"),
            reference_ref=F("request__number"),
            occurred=TruncDate("request__created_at", tzinfo=zone),
            value=-F("refund"),
        )
    elif basis == Basis.COLLECTED:
        payments = Payment.objects.filter(received_on__gte=start, received_on__lte=end)
        shape(
            payments,
            "partner",
            SourceKind.PAYMENT,
            source_ref=F("pk"),
            reference_ref=F("number"),
            occurred=F("received_on"),
            value=F("amount"),
        )
    else:
        sold = SellOut.objects.filter(
            scope_q(program, "product"), sold_on__gte=start, sold_on__lte=end
        )
        shape(
            sold,
            "partner",
            SourceKind.SELL_OUT,
            source_ref=F("pk"),
            reference_ref=Left("end_customer", 64),
            occurred=F("sold_on"),
            value=_decimal(F("quantity")),
        )
    return rows


def basis_by_partner(
    program: RebateProgram, start: date, end: date, *, partner_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """The basis per eligible partner with any contribution, straight from the sources (one
    grouped aggregate per source): for progress pages and what-if simulation."""
    ids = None if partner_ids is None else list(partner_ids)
    totals: dict[int, Decimal] = {}
    for qs in contributions(program, start, end, partner_ids=ids):
        grouped = (
            qs.values("partner_ref")
            .annotate(total=Sum("value"))
            .values_list("partner_ref", "total")
        )
        for partner_id, total in grouped:
            totals[partner_id] = totals.get(partner_id, ZERO) + total
    return totals


# --- recalculation ------------------------------------------------------------------------------

_LINE_COLUMNS = "accrual_id, source, source_id, reference, occurred_on, amount"


def _insert_lines(qs: QuerySet[Any]) -> None:
    """Copy contribution rows into explain lines in the database (INSERT … SELECT)."""
    select = qs.values_list(
        "accrual", "source_kind", "source_ref", "reference_ref", "occurred", "value"
    )
    sql, params = select.query.sql_with_params()
    table = RebateAccrualLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_LINE_COLUMNS}) "  # noqa: S608 - table name from the model
            f"SELECT * FROM ({sql}) AS contribution WHERE contribution.accrual IS NOT NULL",
            params,
        )


@transaction.atomic
def recalculate(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    *,
    partner_ids: Iterable[int] | None = None,
    run: RebateRun | None = None,
) -> list[RebateAccrual]:
    """Recompute the accruals of `program` for one period (all partners, or `partner_ids`):
    basis, explain lines, band, amount before and after caps. One transaction: a failure leaves
    the previous accruals as they were; running it twice gives the same rows and amounts.
    Returns the accruals recomputed, by partner id."""
    if program.exclusive_group:
        _group_lock(program.exclusive_group)
    # Recalculations of one program queue up here, so two never interleave their writes.
    program = RebateProgram.objects.select_for_update().get(pk=program.pk)
    wanted = None if partner_ids is None else sorted(set(partner_ids))
    own_run = run is None
    run = run or RebateRun.objects.create(scope=f"{program.code} {period_start}")
    stored = RebateAccrual.objects.filter(program=program, period_start=period_start)
    eligible = program_partners(program)
    if wanted is not None:
        stored = stored.filter(partner__in=wanted)
        eligible = eligible.filter(pk__in=wanted)
    # A partner no longer eligible keeps its row, recomputed to zero (it may have been settled).
    targets = sorted(
        set(eligible.values_list("pk", flat=True)) | set(stored.values_list("partner", flat=True))
    )
    if not targets:  # e.g. one partner that this program does not include
        if own_run:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
        return []
    RebateAccrual.objects.bulk_create(
        [
            RebateAccrual(
                program=program,
                partner_id=pid,
                period_start=period_start,
                period_end=period_end,
                run=run,
            )
            for pid in targets
        ],
        update_conflicts=True,
        unique_fields=["program", "partner", "period_start"],
        update_fields=["period_end", "run", "computed_at"],
    )
    accruals = list(
        RebateAccrual.objects.filter(
            program=program, period_start=period_start, partner__in=targets
        ).order_by("partner")
    )
    # One statement: Django's delete() would fetch every line first (the tenants app listens to
    # deletes), which costs seconds for a program with a million lines.
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM rebates_rebateaccrualline WHERE accrual_id = ANY(%s)",
            [[a.pk for a in accruals]],
        )
    for qs in contributions(program, period_start, period_end, partner_ids=targets):
        _insert_lines(qs)
    sums = dict(
        RebateAccrualLine.objects.filter(accrual__in=accruals)
        .order_by()
        .values("accrual")
        .annotate(total=Sum("amount"))
        .values_list("accrual", "total")
    )
    bands = list(program.bands.order_by("threshold_from"))
    for accrual in accruals:
        accrual.basis = sums.get(accrual.pk, ZERO)
        band, amount = rebate_for(accrual.basis, bands, program.tier_mode)
        accrual.tier = band  # type: ignore[assignment]
        accrual.uncapped_amount = amount
    RebateAccrual.objects.bulk_update(accruals, ["basis", "tier", "uncapped_amount"])
    _apply_caps(program, period_start)
    _apply_exclusivity(program, period_start, period_end)
    if own_run:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    return list(
        RebateAccrual.objects.filter(pk__in=[a.pk for a in accruals])
        .select_related("tier")
        .order_by("partner")
    )


def _apply_caps(program: RebateProgram, period_start: date) -> None:
    """Caps over every accrual of the period, also partners not recomputed now: the program cap
    scales everyone's share, so one partner's change moves the others' amounts."""
    rows = list(RebateAccrual.objects.filter(program=program, period_start=period_start))
    capped = apply_caps(
        {row.partner_id: row.uncapped_amount for row in rows},
        partner_cap=program.partner_cap,
        program_cap=program.program_cap,
    )
    changed = [row for row in rows if row.capped_amount != capped[row.partner_id]]
    for row in changed:
        row.capped_amount = capped[row.partner_id]
    RebateAccrual.objects.bulk_update(changed, ["capped_amount"])


def _group_lock(group: str) -> None:
    """Programs of one exclusive group decide together: their recalculations queue up here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{connection.schema_name}:rebates.group:{group}"],  # type: ignore[attr-defined]
        )


def _apply_exclusivity(program: RebateProgram, period_start: date, period_end: date) -> None:
    """Programs sharing an exclusive group do not stack: for each partner and identical period,
    only the program with the largest amount after caps pays it (ties: the older program); the
    others accrue 0. Without a group, the amount is the amount after caps."""
    own = RebateAccrual.objects.filter(program=program, period_start=period_start)
    if not program.exclusive_group:
        own.exclude(amount=F("capped_amount")).update(amount=F("capped_amount"))
        return
    rows = list(
        RebateAccrual.objects.filter(
            program__exclusive_group=program.exclusive_group,
            program__status__in=[ProgramStatus.ACTIVE, ProgramStatus.CLOSED],
            period_start=period_start,
            period_end=period_end,
            partner__in=own.values("partner"),
        ).order_by("partner", "-capped_amount", "program")
    )
    seen: set[int] = set()
    changed = []
    for row in rows:
        amount = row.capped_amount if row.partner_id not in seen else ZERO
        seen.add(row.partner_id)
        if row.amount != amount:
            row.amount = amount
            changed.append(row)
    RebateAccrual.objects.bulk_update(changed, ["amount"])


def _active_programs() -> QuerySet[RebateProgram]:
    return RebateProgram.objects.filter(status=ProgramStatus.ACTIVE).order_by("pk")


def _program_periods(program: RebateProgram) -> Sequence[tuple[date, date]]:
    return periods(program.period_type, program.starts_on, program.ends_on)


def recalculate_all(today: date | None = None) -> RebateRun:
    """Nightly: every period of every active program that has started by `today` (vendor's
    today by default), each in its own transaction."""
    today = today or tenant_today()
    run = RebateRun.objects.create(scope="all")
    for program in _active_programs():
        for start, end in _program_periods(program):
            if start <= today:
                recalculate(program, start, end, run=run)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def recalculate_partner(partner: Partner, day: date) -> list[RebateAccrual]:
    """Incremental: the period containing `day` of every active program, for one partner. For a
    return, pass the local date of the original order (or shipment), where the return counts."""
    run = RebateRun.objects.create(scope=f"partner {partner.pk} {day}")
    found: list[RebateAccrual] = []
    for program in _active_programs():
        for start, end in _program_periods(program):
            if start <= day <= end:
                found += recalculate(program, start, end, partner_ids=[partner.pk], run=run)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return found
