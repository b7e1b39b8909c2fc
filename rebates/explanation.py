"""Why an accrual is what it is: the source rows of its basis and the wins behind its bonuses,
read from the sources with the same querysets the engine sums (rebates.engine.contributions).

They are read live, so between a change and its recalculation (seconds, queued on commit) they
may differ from the stored basis; `Explanation.pending` says so instead of hiding it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from .engine import ZERO, basis_by_partner, contributions, new_customer_wins
from .models import RebateAccrual, SourceKind

# A partner's quarter rarely has more; beyond, the page shows the first ones and the totals.
SHOWN = 500


@dataclass(frozen=True)
class Line:
    source: str
    source_id: int
    reference: str
    occurred_on: date
    amount: Decimal

    @property
    def source_label(self) -> str:
        return str(SourceKind(self.source).label)


@dataclass(frozen=True)
class Explanation:
    lines: list[Line]
    count: int  # all contributing rows, of which `lines` are the first SHOWN
    total: Decimal  # the basis as the sources say now
    wins: list[Any]  # the deal registrations paid a new-customer bonus
    pending: bool  # the stored accrual does not yet reflect the sources

    @property
    def truncated(self) -> bool:
        return self.count > len(self.lines)


def _rows(accrual: RebateAccrual) -> QuerySet[Any]:
    sources = [
        qs.values_list("source_kind", "source_ref", "reference_ref", "occurred", "value")
        for qs in contributions(
            accrual.program,
            accrual.period_start,
            accrual.period_end,
            partner_ids=[accrual.partner_id],
        )
    ]
    first, *rest = sources
    return first.union(*rest, all=True) if rest else first


def explain(accrual: RebateAccrual) -> Explanation:
    program, start, end = accrual.program, accrual.period_start, accrual.period_end
    rows = _rows(accrual)
    shown = rows.order_by("occurred", "source_kind", "source_ref")[:SHOWN]
    lines = [Line(*row) for row in shown]
    count = rows.count()
    total = basis_by_partner(program, start, end, partner_ids=[accrual.partner_id]).get(
        accrual.partner_id, ZERO
    )
    wins = (
        list(new_customer_wins(program, start, end, partner_ids=[accrual.partner_id]))
        if program.new_customer_bonus
        else []
    )
    bonus = (program.new_customer_bonus or ZERO) * len(wins)
    pending = total != accrual.basis or bonus != accrual.bonus
    return Explanation(lines=lines, count=count, total=total, wins=wins, pending=pending)
