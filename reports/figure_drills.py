"""Drill-down lists of the cockpit's channel figures (deals, rebates, market funds, training,
sell-out, new partners), registered beside the sales lists in `reports.drill.DRILLS`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .channel_figures import (
    funnel_deals,
    liability_accruals,
    liability_settlements,
    mdf_claims,
    new_partner_list,
    sell_through_sales,
    training_people,
)
from .drill import DRILLS, Drill
from .filters import CockpitScope
from .geography import province_label
from .tables import MONEY, NUMBER, TEXT, Column, Table

STAGES = ("submitted", "approved", "won", "lost")


def _day(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def deals_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    stage: Any = params.get("stage") if params.get("stage") in STAGES else "submitted"
    titles = {
        "submitted": _("Deal registrations submitted"),
        "approved": _("Deal registrations approved"),
        "won": _("Deal registrations won"),
        "lost": _("Deal registrations lost"),
    }
    table = Table(
        f"deals-{stage}",
        str(titles[stage]),
        [
            Column(_("Registration no."), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Customer"), TEXT),
            Column(_("Submitted"), TEXT),
            Column(_("Status"), TEXT),
            Column(_("Estimated amount"), MONEY),
        ],
    )
    deals = funnel_deals(
        partners=scope.partners,
        period=scope.period,
        product_line_id=scope.product_line_id,
        stage=stage,
    )[:limit]
    for d in deals:
        table.rows.append(
            [
                d.number,
                d.partner.display_name,
                d.customer_name,
                _day(d.submitted_at),
                d.get_status_display(),
                d.estimated_amount,
            ]
        )
        table.links.append(reverse("deals:detail", args=[d.pk]))
    return table


def accruals_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    which: Any = "outstanding" if params.get("which") == "outstanding" else "accrued"
    table = Table(
        f"rebates-{which}",
        str(_("Rebates not yet settled") if which == "outstanding" else _("Rebates accrued")),
        [
            Column(_("Program"), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Period"), TEXT),
            Column(_("Accrued"), MONEY),
            Column(_("Settled"), MONEY),
            Column(_("Still due"), MONEY),
        ],
    )
    # Annotated by the selector with `settled` and `due`.
    rows = liability_accruals(partners=scope.partners, period=scope.period, which=which)[:limit]
    for a in rows:
        table.rows.append(
            [
                str(a.program),
                a.partner.display_name,
                f"{a.period_start:%Y-%m-%d} – {a.period_end:%Y-%m-%d}",
                a.amount,
                a.settled,  # type: ignore[attr-defined]
                a.due,  # type: ignore[attr-defined]
            ]
        )
        table.links.append(reverse("rebates:detail", args=[a.pk]))
    return table


def settlements_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    table = Table(
        "rebate-settlements",
        str(_("Rebate settlements")),
        [
            Column(_("Settled at"), TEXT),
            Column(_("Program"), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Kind"), TEXT),
            Column(_("Amount"), MONEY),
        ],
    )
    for s in liability_settlements(partners=scope.partners, period=scope.period)[:limit]:
        table.rows.append(
            [
                _day(s.settled_at),
                str(s.accrual.program),
                s.accrual.partner.display_name,
                s.get_kind_display(),
                s.amount,
            ]
        )
        table.links.append(reverse("rebates:detail", args=[s.accrual_id]))
    return table


def claims_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    table = Table(
        "mdf-claims",
        str(_("Market fund claims decided")),
        [
            Column(_("Claim no."), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Activity"), TEXT),
            Column(_("Activity ended"), TEXT),
            Column(_("Status"), TEXT),
            Column(_("Approved"), MONEY),
        ],
    )
    for c in mdf_claims(partners=scope.partners, period=scope.period)[:limit]:
        table.rows.append(
            [
                c.number,
                c.request.partner.display_name,
                c.request.title,
                c.request.ends_on.isoformat(),
                c.get_status_display(),
                c.approved_amount,
            ]
        )
        table.links.append(reverse("mdf:claim_detail", args=[c.pk]))
    return table


def people_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    table = Table(
        "training-people",
        str(_("People in training")),
        [Column(_("Person"), TEXT), Column(_("Partner"), TEXT), Column(_("Email"), TEXT)],
    )
    for u in training_people(partners=scope.partners)[:limit]:
        table.rows.append([u.full_name, u.partner.display_name if u.partner else "", u.email])
        table.links.append(None)
    return table


def sellout_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    table = Table(
        "sell-out",
        str(_("Sell-out reported")),
        [
            Column(_("Sold on"), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Product"), TEXT),
            Column(_("End customer"), TEXT),
            Column(_("Province"), TEXT),
            Column(_("Units"), NUMBER),
        ],
    )
    sales = sell_through_sales(
        partners=scope.partners, period=scope.period, product_line_id=scope.product_line_id
    )[:limit]
    for s in sales:
        table.rows.append(
            [
                s.sold_on.isoformat(),
                s.partner.display_name,
                s.product.display_name,
                s.end_customer,
                province_label(s.province),
                s.quantity,
            ]
        )
        table.links.append(None)
    return table


def new_partners_table(scope: CockpitScope, params: Any, limit: int) -> Table:
    table = Table(
        "new-partners",
        str(_("New partners")),
        [Column(_("Partner"), TEXT), Column(_("Province"), TEXT), Column(_("Tier"), TEXT)],
    )
    partners = new_partner_list(partners=scope.partners, period=scope.period)
    for p in partners.select_related("tier")[:limit]:
        table.rows.append(
            [p.display_name, province_label(p.region), p.tier.display_name if p.tier else ""]
        )
        table.links.append(reverse("partners:detail", args=[p.pk]))
    return table


DRILLS.update(
    {
        "deals": Drill(_("Deal registrations"), deals_table),
        "rebates": Drill(_("Rebates accrued"), accruals_table),
        "rebate-settlements": Drill(_("Rebate settlements"), settlements_table),
        "mdf-claims": Drill(_("Market fund claims decided"), claims_table),
        "training": Drill(_("People in training"), people_table),
        "sell-out": Drill(_("Sell-out reported"), sellout_table),
        "new-partners": Drill(_("New partners"), new_partners_table),
    }
)
