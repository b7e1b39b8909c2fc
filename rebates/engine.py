"""The accrual engine: per program x partner x period, the basis, the band reached, the bonuses
and the amount.

Everything is set-based. Each source (order lines, shipment lines, payments, returns, sell-out)
is one queryset of contribution rows (partner, source, id, reference, date, signed amount); the
basis is their grouped sum, one aggregate per source, and no Python loop ever walks orders or
payments. The same querysets, filtered to one partner, are the explanation of an accrual
(rebates.explanation): the explanation is read when asked instead of being copied into a table
on every recalculation, which for a quarter of a million order lines cost 30 times the aggregate.

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

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Left, Round, TruncDate
from django.db.models.lookups import In
from django.utils import timezone

from deal_registration.models import DealRegistration, DealStatus, NamedAccount
from orders.models import (
    CLOSED_UNSHIPPED,
    Order,
    OrderLine,
    Payment,
    Product,
    ReturnLine,
    ReturnStatus,
    SellOut,
    ShipmentLine,
)
from partners.models import Partner, PartnerStatus, Region
from prm.core.money import quantize
from prm.tenancy.selectors import tenant_today, tenant_zone

from .models import (
    Basis,
    ProgramStatus,
    RebateAccrual,
    RebateProgram,
    RebateRun,
    SourceKind,
)
from .rules import apply_caps, periods, rebate_for

ZERO = Decimal("0.00")
_AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
# What recalculate() reads of a program; fetched once with it (see _with_rules).
RULES = (
    "partners",
    "tiers",
    "regions",
    "product_lines",
    "categories",
    "products",
    "excluded_products",
    "bands",
)


def _ids(program: RebateProgram, relation: str) -> list[int]:
    # .all() rather than values_list: it uses the prefetched rows when there are any.
    return [row.pk for row in getattr(program, relation).all()]


# --- who and what -------------------------------------------------------------------------------


def program_partners(program: RebateProgram) -> QuerySet[Partner]:
    """Partners eligible for `program`: every dimension left empty is no restriction; partners
    still in application never are."""
    qs = Partner.objects.exclude(status=PartnerStatus.APPLIED)
    named = _ids(program, "partners")
    if named:
        qs = qs.filter(pk__in=named)
    tiers = _ids(program, "tiers")
    if tiers:
        qs = qs.filter(tier__in=tiers)
    if program.partner_types:
        qs = qs.filter(partner_type__in=program.partner_types)
    regions = [(region.level, region.name) for region in program.regions.all()]
    if regions:
        # Partners keep their province and city as text; a Region matches by name at its level.
        where = Q()
        for level, name in regions:
            where |= Q(city=name) if level == Region.Level.CITY else Q(region=name)
        qs = qs.filter(where)
    return qs


def _at(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def scope_q(program: RebateProgram, prefix: str) -> Q:
    """Q over the product at `prefix` ("product", "order_line__product", "" for Product itself):
    in one of the program's product lines, categories (or their sub-categories) or SKUs when
    any is set, and never an excluded product. Gift lines are filtered by the callers, which
    know where the line is."""
    lines = _ids(program, "product_lines")
    categories = _ids(program, "categories")
    products = _ids(program, "products")
    excluded = _ids(program, "excluded_products")
    included = []
    if lines:
        included.append(Q(**{_at(prefix, "product_line__in"): lines}))
    if categories:
        included.append(Q(**{_at(prefix, "category__in"): categories}))
        included.append(Q(**{_at(prefix, "category__parent__in"): categories}))
    if products:
        included.append(Q(**{_at(prefix, "pk__in"): products}))
    where = reduce(operator.or_, included, Q()) if included else Q()
    if excluded:
        where &= ~Q(**{_at(prefix, "pk__in"): excluded})
    return where


def _scope_ids_q(program: RebateProgram, prefix: str) -> Q:
    """scope_q as a list of product ids, for a few partners' rows, compared as `product_id + 0`:
    the planner would otherwise read the product index (every line ever sold of the scope,
    hundreds of thousands of entries) to AND it with the few hundred lines of the partner's
    orders. `+ 0` is the usual way to keep PostgreSQL from using an index for one condition."""
    memo = program.__dict__.setdefault("_scope_ids", {})
    if "ids" not in memo:  # an active program's scope does not change: once per instance
        scope = scope_q(program, "")
        memo["ids"] = (
            list(Product.objects.filter(scope).values_list("pk", flat=True)) if scope else None
        )
    if memo["ids"] is None:
        return Q()
    return Q(In(F(f"{prefix}_id") + 0, memo["ids"]))


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


def _scope(program: RebateProgram, prefix: str, partner_ids: Any, scoped: bool) -> Q:
    if not scoped:
        return Q()
    return scope_q(program, prefix) if partner_ids is None else _scope_ids_q(program, prefix)


def contributions(
    program: RebateProgram,
    start: date,
    end: date,
    *,
    partner_ids: Iterable[int] | None = None,
    scoped: bool = True,
) -> list[QuerySet[Any]]:
    """One queryset per source whose rows are (partner_ref, source_kind, source_ref,
    reference_ref, occurred, value, product_ref, period_day), amounts signed (returns
    negative), columns in that order so the querysets can be united. `period_day` is the local
    day that puts the row in a period (a return's is its order's or shipment's); `product_ref`
    is None for payments. `scoped=False` leaves the program's product scope out (the caller
    applies it, see rebates.partner_run).

    COLLECTED counts payments, which carry no products: the program's product scope does not
    apply to it. Sell-out has no returns (the partner reports net sales)."""
    zone = tenant_zone()
    since, until = _bounds(start, end)
    if partner_ids is None:
        eligible: Any = program_partners(program).values("pk")
    else:
        # The caller has checked eligibility (or wants a partner no longer eligible at zero).
        eligible = list(partner_ids)
    basis = Basis(program.basis)
    rows: list[QuerySet[Any]] = []

    def shape(qs: QuerySet[Any], partner: str, kind: SourceKind, **columns: Any) -> None:
        rows.append(
            qs.filter(**{f"{partner}__in": eligible})
            .order_by()
            .values(
                partner_ref=F(partner),
                source_kind=Value(kind.value),
                **columns,
            )
        )

    if basis in (Basis.ORDERED, Basis.QUANTITY):
        in_period = Q(order__created_at__gte=since, order__created_at__lt=until)
        if partner_ids is not None:
            # A few partners: start from their orders. Left to itself the planner starts from
            # the products in scope and walks every line sold of them (seconds, not ms).
            orders = list(
                Order.objects.filter(
                    partner__in=eligible, created_at__gte=since, created_at__lt=until
                ).values_list("pk", flat=True)
            )
            in_period = Q(order__in=orders)
        lines = OrderLine.objects.filter(
            in_period,
            _scope(program, "product", partner_ids, scoped),
            is_gift=False,
        ).exclude(order__status__in=CLOSED_UNSHIPPED)
        shape(
            lines,
            "order__partner",
            SourceKind.ORDER_LINE,
            source_ref=F("pk"),
            reference_ref=F("order__number"),
            occurred=TruncDate("order__created_at", tzinfo=zone),
            value=F("line_total") if basis == Basis.ORDERED else _decimal(F("quantity")),
            product_ref=F("product"),
            period_day=TruncDate("order__created_at", tzinfo=zone),
        )
        returns = ReturnLine.objects.filter(
            Q(order_line__order__in=orders)
            if partner_ids is not None
            else Q(
                order_line__order__created_at__gte=since,
                order_line__order__created_at__lt=until,
            ),
            _scope(program, "order_line__product", partner_ids, scoped),
            request__status=ReturnStatus.RECEIVED,
            order_line__is_gift=False,
        ).exclude(order_line__order__status__in=CLOSED_UNSHIPPED)
        shape(
            returns,
            "order_line__order__partner",
            SourceKind.RETURN_LINE,
            source_ref=F("pk"),
            reference_ref=F("request__number"),
            occurred=TruncDate("request__created_at", tzinfo=zone),
            value=-F("refund") if basis == Basis.ORDERED else -_decimal(F("quantity")),
            product_ref=F("order_line__product"),
            period_day=TruncDate("order_line__order__created_at", tzinfo=zone),
        )
    elif basis == Basis.SHIPPED:
        shipped = ShipmentLine.objects.filter(
            _scope(program, "order_line__product", partner_ids, scoped),
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
            product_ref=F("order_line__product"),
            period_day=TruncDate("shipment__shipped_at", tzinfo=zone),
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
                _scope(program, "order_line__product", partner_ids, scoped),
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
            product_ref=F("order_line__product"),
            period_day=TruncDate("last_shipped", tzinfo=zone),
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
            product_ref=Cast(Value(None), output_field=BigIntegerField()),  # typed for UNION
            period_day=F("received_on"),
        )
    else:
        sold = SellOut.objects.filter(
            _scope(program, "product", partner_ids, scoped), sold_on__gte=start, sold_on__lte=end
        )
        shape(
            sold,
            "partner",
            SourceKind.SELL_OUT,
            source_ref=F("pk"),
            reference_ref=Left("end_customer", 64),
            occurred=F("sold_on"),
            value=_decimal(F("quantity")),
            product_ref=F("product"),
            period_day=F("sold_on"),
        )
    return rows


def basis_by_partner(
    program: RebateProgram, start: date, end: date, *, partner_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """The basis per partner with any contribution: every source's rows in one grouped
    aggregate (UNION ALL, one round trip). Without `partner_ids`, every eligible partner; with
    them, exactly those partners."""
    ids = None if partner_ids is None else list(partner_ids)
    parts = []
    params: list[Any] = []
    for qs in contributions(program, start, end, partner_ids=ids):
        try:
            sql, part_params = qs.values_list("partner_ref", "value").query.sql_with_params()
        except EmptyResultSet:  # e.g. an empty list of order ids: that source has no rows
            continue
        parts.append(f"({sql})")
        params.extend(part_params)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.partner, SUM(c.amount) FROM ("  # noqa: S608 - SQL built by the ORM
            + " UNION ALL ".join(parts)
            + ") AS c(partner, amount) GROUP BY c.partner",
            params,
        )
        return dict(cursor.fetchall())


# --- bonuses ------------------------------------------------------------------------------------


def new_customer_wins(
    program: RebateProgram, start: date, end: date, *, partner_ids: Iterable[int] | None = None
) -> QuerySet[DealRegistration]:
    """Deal registrations won in the period (their local closing day) whose customer is new to
    the vendor: no registration won before it (earlier day, or same day and registered earlier)
    with the same credit code or name key, and not one of the vendor's named accounts. In the
    program's product lines when it has any; eligible partners only."""
    same_customer = Q(name_key=OuterRef("name_key")) | (
        Q(credit_code=OuterRef("credit_code")) & ~Q(credit_code="")
    )
    earlier = DealRegistration.objects.filter(
        same_customer,
        Q(closed_on__lt=OuterRef("closed_on"))
        | Q(closed_on=OuterRef("closed_on"), pk__lt=OuterRef("pk")),
        status=DealStatus.WON,
    )
    known = NamedAccount.objects.filter(same_customer, is_active=True)
    wins = DealRegistration.objects.filter(
        status=DealStatus.WON, closed_on__gte=start, closed_on__lte=end
    ).filter(~Exists(earlier), ~Exists(known))
    if partner_ids is None:
        wins = wins.filter(partner__in=program_partners(program).values("pk"))
    else:
        wins = wins.filter(partner__in=list(partner_ids))
    lines = _ids(program, "product_lines")
    if lines:
        wins = wins.filter(product_line__in=lines)
    return wins.order_by("closed_on", "pk")


def bonuses_by_partner(
    program: RebateProgram, start: date, end: date, *, partner_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    if not program.new_customer_bonus:
        return {}
    counted = (
        new_customer_wins(program, start, end, partner_ids=partner_ids)
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values_list("partner", "n")
    )
    return {partner: quantize(program.new_customer_bonus * n) for partner, n in counted}


# --- recalculation ------------------------------------------------------------------------------


def _with_rules(program: RebateProgram) -> RebateProgram:
    """`program` with its eligibility, scope and bands fetched (one query each), for the
    dozen reads of them a recalculation makes."""
    if getattr(program, "_prefetched_objects_cache", {}).keys() >= set(RULES):
        return program
    return RebateProgram.objects.prefetch_related(*RULES).get(pk=program.pk)


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
    basis, band, bonuses, amount before and after caps, written by one upsert. One transaction:
    a failure leaves the previous accruals as they were; running it twice gives the same rows
    and amounts. Returns the accruals recomputed, by partner id."""
    if program.exclusive_group:
        group_lock(program.exclusive_group)
    # Recalculations of one program queue up here, so two never interleave their writes. An
    # active program's rules are read-only, so an instance fetched earlier is still right.
    RebateProgram.objects.select_for_update().filter(pk=program.pk).values_list("pk").get()
    program = _with_rules(program)
    wanted = None if partner_ids is None else sorted(set(partner_ids))
    if wanted is not None:
        serial_plans()
    own_run = run is None
    run = run or RebateRun.objects.create(scope=f"{program.code} {period_start}")
    targets, eligible_ids = target_partners(program, period_start, wanted)
    if targets:
        write_rows(program, period_start, period_end, targets, eligible_ids, wanted, run)
        settle_shares(program, period_start, period_end, wanted)
    if own_run:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    if not targets:  # e.g. one partner that this program does not include
        return []
    return list(
        RebateAccrual.objects.filter(
            program=program, period_start=period_start, partner__in=targets
        )
        .select_related("tier")
        .order_by("partner")
    )


def serial_plans() -> None:
    """For the rest of the transaction: a few partners' rows, where starting parallel workers
    costs more than reading them."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def target_partners(
    program: RebateProgram, period_start: date, wanted: Iterable[int] | None = None
) -> tuple[list[int], set[int]]:
    """The partners a recalculation writes (sorted), and which of them are eligible: every
    eligible partner and every partner with a stored accrual of the period (all, or those of
    `wanted`). A partner no longer eligible keeps its row, recomputed to zero (it may have
    been settled). One query."""
    stored = RebateAccrual.objects.filter(program=program, period_start=period_start)
    eligible = program_partners(program)
    if wanted is not None:
        ids = list(wanted)
        stored = stored.filter(partner__in=ids)
        eligible = eligible.filter(pk__in=ids)
    both = (
        eligible.annotate(source=Value(1))
        .values_list("pk", "source")
        .union(stored.annotate(source=Value(0)).values_list("partner", "source"), all=True)
    )
    found = list(both)
    eligible_ids = {pid for pid, is_eligible in found if is_eligible}
    return sorted({pid for pid, _source in found}), eligible_ids


def write_rows(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    targets: list[int],
    eligible_ids: set[int],
    wanted: list[int] | None,
    run: RebateRun,
) -> None:
    """Upsert the accruals of `targets`: everything a partner's own rows decide (basis, band,
    bonus, amounts up to the partner cap, see written_fields). What depends on the other
    partners (program cap shares, exclusive groups) is settle_shares', afterwards."""
    # A whole-program run lets the aggregate filter eligibility itself (no list of ids).
    ids = None if wanted is None else sorted(eligible_ids)
    totals = basis_by_partner(program, period_start, period_end, partner_ids=ids)
    bonuses = bonuses_by_partner(program, period_start, period_end, partner_ids=ids)
    rows = accrual_rows(program, period_start, period_end, targets, totals, bonuses, run)
    upsert(rows, written_fields(program))


def accrual_rows(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    targets: Iterable[int],
    totals: dict[int, Decimal],
    bonuses: dict[int, Decimal],
    run: RebateRun,
) -> list[RebateAccrual]:
    """The accruals of `targets` from their bases and bonuses: band, amount, partner cap."""
    bands = sorted(program.bands.all(), key=lambda band: band.threshold_from)
    rows = []
    for pid in targets:
        basis = totals.get(pid, ZERO)
        band, amount = rebate_for(basis, bands, program.tier_mode)
        bonus = bonuses.get(pid, ZERO)
        uncapped = amount + bonus
        capped = uncapped if program.partner_cap is None else min(uncapped, program.partner_cap)
        rows.append(
            RebateAccrual(
                program=program,
                partner_id=pid,
                period_start=period_start,
                period_end=period_end,
                basis=basis,
                tier=band,  # type: ignore[misc]  # a RebateTier: rebate_for returns what it gets
                bonus=bonus,
                uncapped_amount=uncapped,
                capped_amount=capped,
                amount=capped,
                run=run,
            )
        )
    return rows


def written_fields(program: RebateProgram) -> tuple[str, ...]:
    """What the upsert may write. Without a program cap every amount is final already (the
    partner cap is the partner's own); with one, or in an exclusive group, settle_shares
    decides the rest over all partners."""
    written: tuple[str, ...] = (
        "period_end",
        "run",
        "computed_at",
        "basis",
        "tier",
        "bonus",
        "uncapped_amount",
    )
    if program.program_cap is None:
        written += ("capped_amount",)
        if not program.exclusive_group:
            written += ("amount",)
    return written


def upsert(rows: list[RebateAccrual], fields: Sequence[str]) -> None:
    RebateAccrual.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["program", "partner", "period_start"],
        update_fields=list(fields),
    )


def settle_shares(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    partner_ids: Iterable[int] | None = None,
) -> None:
    """After the upsert: the program cap's shares (over all partners: one partner's change
    moves the others' shares), then the exclusive group's choice (for `partner_ids`, or all)."""
    if program.program_cap is not None:
        _apply_caps(program, period_start, set_amount=not program.exclusive_group)
    if program.exclusive_group:
        _apply_exclusivity(program, period_start, period_end, partner_ids)


def _apply_caps(program: RebateProgram, period_start: date, *, set_amount: bool) -> None:
    """Caps over every accrual of the period, also partners not recomputed now: the program cap
    scales everyone's share, so one partner's change moves the others' amounts. Only rows that
    change are written, by one UPDATE; `set_amount` (no exclusive group) sets the amount too."""
    rows = list(
        RebateAccrual.objects.filter(program=program, period_start=period_start).values_list(
            "pk", "partner", "uncapped_amount", "capped_amount", "amount"
        )
    )
    capped = apply_caps(
        {partner: uncapped for _pk, partner, uncapped, _c, _a in rows},
        partner_cap=program.partner_cap,
        program_cap=program.program_cap,
    )
    changed = [
        (pk, capped[partner])
        for pk, partner, _u, old_capped, amount in rows
        if old_capped != capped[partner] or (set_amount and amount != capped[partner])
    ]
    if not changed:
        return
    table = RebateAccrual._meta.db_table
    amount = ", amount = v.capped" if set_amount else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS a SET capped_amount = v.capped{amount} "  # noqa: S608 - names
            "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, capped) WHERE a.id = v.id",
            [[pk for pk, _c in changed], [value for _pk, value in changed]],
        )


def group_lock(group: str, *, shared: bool = False) -> None:
    """Programs of one exclusive group decide together: their recalculations queue up here.
    `shared`: for work that only writes its own program's rows (rebates.fanout's batches),
    which may run side by side but never beside a recalculation that decides the group."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(hashtext(%s))",
            [f"{connection.schema_name}:rebates.group:{group}"],  # type: ignore[attr-defined]
        )


def _apply_exclusivity(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    partner_ids: Iterable[int] | None = None,
) -> None:
    """Programs sharing an exclusive group do not stack: for each partner and identical period,
    only the program with the largest amount after caps pays it (ties: the older program); the
    others accrue 0."""
    own = RebateAccrual.objects.filter(program=program, period_start=period_start)
    if partner_ids is not None:
        own = own.filter(partner__in=list(partner_ids))
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


def active_programs() -> QuerySet[RebateProgram]:
    return (
        RebateProgram.objects.filter(status=ProgramStatus.ACTIVE)
        .prefetch_related(*RULES)
        .order_by("pk")
    )


def program_periods(program: RebateProgram) -> Sequence[tuple[date, date]]:
    return periods(program.period_type, program.starts_on, program.ends_on)


def recalculate_all(today: date | None = None) -> RebateRun:
    """Nightly: every period of every active program that has started by `today` (vendor's
    today by default), each in its own transaction."""
    today = today or tenant_today()
    run = RebateRun.objects.create(scope="all")
    for program in active_programs():
        for start, end in program_periods(program):
            if start <= today:
                recalculate(program, start, end, run=run)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run
