"""What-if: what a (draft) program would have cost over the last full period of real data, per
partner and in total, before the vendor activates it. Reads only; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from partners.models import Partner
from prm.tenancy.selectors import tenant_today

from .engine import ZERO, basis_by_partner, bonuses_by_partner
from .models import PeriodType, RebateProgram, RebateTier
from .rules import apply_caps, period_containing, rebate_for


@dataclass(frozen=True)
class SimulatedPartner:
    partner: Partner
    basis: Decimal
    band: RebateTier | None
    bonus: Decimal
    uncapped: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Simulation:
    period: tuple[date, date]
    rows: list[SimulatedPartner]
    total: Decimal
    total_uncapped: Decimal


def last_full_period(program: RebateProgram, today: date) -> tuple[date, date]:
    """The program's kind of period that ended most recently before `today`; for a custom
    range, the same number of days ending yesterday."""
    if program.period_type == PeriodType.CUSTOM:
        length = (program.ends_on - program.starts_on).days
        return today - timedelta(days=length + 1), today - timedelta(days=1)
    current_start, _end = period_containing(program.period_type, today)
    return period_containing(program.period_type, current_start - timedelta(days=1))


def simulate(program: RebateProgram, *, today: date | None = None) -> Simulation:
    """Bonuses count too: deals won with new customers in that period."""
    start, end = last_full_period(program, today or tenant_today())
    bases = {pid: basis for pid, basis in basis_by_partner(program, start, end).items() if basis}
    bonuses = bonuses_by_partner(program, start, end)
    for pid in bonuses:
        bases.setdefault(pid, ZERO)
    bands = sorted(program.bands.all(), key=lambda band: band.threshold_from)
    reached = {pid: rebate_for(basis, bands, program.tier_mode) for pid, basis in bases.items()}
    uncapped = {pid: amount + bonuses.get(pid, ZERO) for pid, (_band, amount) in reached.items()}
    capped = apply_caps(uncapped, partner_cap=program.partner_cap, program_cap=program.program_cap)
    partners = Partner.objects.in_bulk(list(bases))
    rows = sorted(
        (
            SimulatedPartner(
                partner=partners[pid],
                basis=bases[pid],
                band=reached[pid][0],  # type: ignore[arg-type]
                bonus=bonuses.get(pid, ZERO),
                uncapped=uncapped[pid],
                amount=capped[pid],
            )
            for pid in bases
        ),
        key=lambda row: (-row.amount, row.partner.name, row.partner.pk),
    )
    return Simulation(
        period=(start, end),
        rows=rows,
        total=sum((row.amount for row in rows), Decimal("0.00")),
        total_uncapped=sum((row.uncapped for row in rows), Decimal("0.00")),
    )
