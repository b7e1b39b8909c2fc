"""Incremental recalculation of one partner after an order, payment, return or won deal: the
period containing a day of every active program, in one transaction and a handful of statements
however many programs there are.

Program by program (rebates.engine.recalculate with one partner id) costs about nine round trips
each; with twenty programs that was 600 ms. Here the partner's eligibility for every program is
one query, and its bases for every program one aggregate: the partner's source rows of each
basis are read once over the widest period, and joined to each program's period and product
scope in SQL. The rows, the amounts and the caps are computed by the same functions as a whole
program's run (accrual_rows, upsert, settle_shares), so both give the same accruals.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, Value
from django.utils import timezone

from orders.models import Product
from partners.models import Partner

from .engine import (
    ZERO,
    accrual_rows,
    active_programs,
    bonuses_by_partner,
    contributions,
    group_lock,
    program_partners,
    program_periods,
    scope_q,
    settle_shares,
    upsert,
    written_fields,
)
from .models import Basis, RebateAccrual, RebateProgram, RebateRun


@dataclass(frozen=True)
class Period:
    program: RebateProgram
    start: date
    end: date


def recalculate_partner(partner: Partner, day: date) -> list[RebateAccrual]:
    """The period containing `day` of every active program, for `partner`, in one transaction.
    For a return, pass the local date of the original order (or shipment), where it counts.
    Returns the partner's accruals recomputed, by program."""
    run = RebateRun.objects.create(scope=f"partner {partner.pk} {day}")
    periods = [
        Period(program, start, end)
        for program in active_programs()
        for start, end in program_periods(program)
        if start <= day <= end
    ]
    found = _recalculate(partner, periods, run) if periods else []
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return found


@transaction.atomic
def _recalculate(partner: Partner, periods: list[Period], run: RebateRun) -> list[RebateAccrual]:
    # The same locks as a program's run, groups first, each kind in a fixed order.
    for group in sorted({p.program.exclusive_group for p in periods} - {""}):
        group_lock(group)
    program_ids = sorted(p.program.pk for p in periods)
    list(RebateProgram.objects.select_for_update().filter(pk__in=program_ids).values_list("pk"))
    with connection.cursor() as cursor:
        # One partner's rows: starting parallel workers costs more than reading them.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")

    eligible = _eligible_programs(partner, periods)
    stored = set(
        RebateAccrual.objects.filter(
            partner=partner,
            program__in=program_ids,
            period_start__in={p.start for p in periods},
        ).values_list("program", "period_start")
    )
    # A program no longer including the partner keeps its row, recomputed to zero.
    targets = [p for p in periods if p.program.pk in eligible or (p.program.pk, p.start) in stored]
    if not targets:
        return []
    bases = _bases(partner, [p for p in targets if p.program.pk in eligible])
    by_fields: dict[tuple[str, ...], list[RebateAccrual]] = {}
    for p in targets:
        included = p.program.pk in eligible
        totals = {partner.pk: bases.get(p.program.pk, ZERO)} if included else {}
        bonuses = (
            bonuses_by_partner(p.program, p.start, p.end, partner_ids=[partner.pk])
            if included
            else {}
        )
        rows = accrual_rows(p.program, p.start, p.end, [partner.pk], totals, bonuses, run)
        by_fields.setdefault(written_fields(p.program), []).extend(rows)
    for fields, rows in by_fields.items():
        upsert(rows, fields)
    for p in targets:
        settle_shares(p.program, p.start, p.end, [partner.pk])
    which = reduce(operator.or_, (Q(program=p.program, period_start=p.start) for p in targets))
    return list(
        RebateAccrual.objects.filter(which, partner=partner)
        .select_related("tier")
        .order_by("program")
    )


def _eligible_programs(partner: Partner, periods: list[Period]) -> set[int]:
    """The programs that include `partner`, by the same rules as a whole program's run
    (engine.program_partners), in one query."""
    first, *rest = [
        program_partners(p.program)
        .filter(pk=partner.pk)
        .annotate(program=Value(p.program.pk))
        .values_list("program", flat=True)
        for p in periods
    ]
    return set(first.union(*rest, all=True) if rest else first)


def _scope_pairs(periods: list[Period]) -> tuple[set[int], list[tuple[int, int]]]:
    """Programs counting every product, and (program, product) for the others, in one query.
    Payments carry no products: collected-payment programs count every payment."""
    everything: set[int] = set()
    scoped = []
    for p in periods:
        scope = scope_q(p.program, "")
        if p.program.basis == Basis.COLLECTED or not scope:
            everything.add(p.program.pk)
        else:
            scoped.append(
                Product.objects.filter(scope)
                .annotate(program=Value(p.program.pk))
                .values_list("program", "pk")
            )
    if not scoped:
        return everything, []
    first, *rest = scoped
    return everything, list(first.union(*rest, all=True) if rest else first)


def _bases(partner: Partner, periods: list[Period]) -> dict[int, Decimal]:
    """The partner's basis per program: its rows of each basis read once over the widest
    period, each row counted for every program whose period holds its day and whose scope
    holds its product. One statement."""
    if not periods:
        return {}
    everything, pairs = _scope_pairs(periods)
    parts, params = [], []
    for basis in sorted({p.program.basis for p in periods}):
        same = [p for p in periods if p.program.basis == basis]
        since, until = min(p.start for p in same), max(p.end for p in same)
        for qs in contributions(
            same[0].program, since, until, partner_ids=[partner.pk], scoped=False
        ):
            sql, source_params = _sql(qs.values_list("value", "product_ref", "period_day"))
            if sql:
                parts.append(f"(SELECT %s::text, * FROM ({sql}) AS s)")  # noqa: S608 - ORM SQL
                params += [basis, *source_params]
    if not parts:
        return {}
    programs: dict[str, list[Any]] = {"id": [], "basis": [], "start": [], "end": [], "all": []}
    for p in periods:
        programs["id"].append(p.program.pk)
        programs["basis"].append(p.program.basis)
        programs["start"].append(p.start)
        programs["end"].append(p.end)
        programs["all"].append(p.program.pk in everything)
    # The parts are the ORM's SQL; every value is a parameter.
    statement = (
        "WITH scope(program, product) AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[])) "  # noqa: S608
        "SELECT v.program, SUM(c.value) FROM ("
        + " UNION ALL ".join(parts)
        + ") AS c(basis, value, product, day) "
        "JOIN unnest(%s::bigint[], %s::text[], %s::date[], %s::date[], %s::boolean[]) "
        "AS v(program, basis, start_on, end_on, every_product) "
        "ON c.basis = v.basis AND c.day BETWEEN v.start_on AND v.end_on "
        "WHERE v.every_product OR EXISTS "
        "(SELECT 1 FROM scope s WHERE s.program = v.program AND s.product = c.product) "
        "GROUP BY v.program"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                [program for program, _product in pairs],
                [product for _program, product in pairs],
                *params,
                programs["id"],
                programs["basis"],
                programs["start"],
                programs["end"],
                programs["all"],
            ],
        )
        return dict(cursor.fetchall())


def _sql(qs: Any) -> tuple[str, list[Any]]:
    """The SQL of `qs`, or "" when it can match nothing (an empty list of the partner's
    orders, say)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return "", []
    return sql, list(params)
