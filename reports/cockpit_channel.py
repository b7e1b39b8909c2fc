"""The cockpit's channel figures beside sales: deals, rebates, market funds, training, channel
stock and new partners (definitions: docs/cockpit_figures.md), as cards and the funnel chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prm.core.templatetags.humanize_money import money_short, percent

from . import charts
from .channel_figures import (
    Funnel,
    Liability,
    MdfSummary,
    SellThrough,
    Training,
    deal_funnel,
    mdf_summary,
    new_partners,
    rebate_liability,
    sell_through,
    training_completion,
)
from .cockpit_tables import Kpi, Link
from .filters import CockpitScope


@dataclass(frozen=True)
class ChannelPicture:
    funnel: Funnel
    liability: Liability
    mdf: MdfSummary
    training: Training
    stock: SellThrough
    new_partners: int


def channel_picture(scope: CockpitScope) -> ChannelPicture:
    line = scope.product_line_id
    return ChannelPicture(
        funnel=deal_funnel(partners=scope.partners, period=scope.period, product_line_id=line),
        liability=rebate_liability(partners=scope.partners, period=scope.period),
        mdf=mdf_summary(partners=scope.partners, period=scope.period),
        training=training_completion(partners=scope.partners),
        stock=sell_through(partners=scope.partners, period=scope.period, product_line_id=line),
        new_partners=new_partners(partners=scope.partners, period=scope.period),
    )


def channel_kpis(picture: ChannelPicture, link: Link) -> list[Kpi]:
    f, r, m, t, s = picture.funnel, picture.liability, picture.mdf, picture.training, picture.stock
    return [
        Kpi(_("New partners"), str(picture.new_partners), link("new-partners")),
        Kpi(
            _("Deal win rate"),
            percent(f.win_rate),
            link("deals", stage="won"),
            _("%(won)d won, %(lost)d lost of %(submitted)d submitted")
            % {"won": f.won, "lost": f.lost, "submitted": f.submitted},
        ),
        Kpi(
            _("Deal cycle"),
            _("%(days)s days") % {"days": f.avg_cycle_days}
            if f.avg_cycle_days is not None
            else "—",
            link("deals", stage="won"),
            _("submitted → won, mean"),
        ),
        Kpi(
            _("Rebates accrued"),
            money_short(r.accrued),
            link("rebates"),
            _("settled %(settled)s · still due %(due)s")
            % {"settled": money_short(r.settled), "due": money_short(r.outstanding)},
        ),
        Kpi(
            _("Market funds spent"),
            money_short(m.spend),
            link("mdf-claims"),
            _("ROI %(roi)s · attributed %(revenue)s")
            % {"roi": percent(m.roi), "revenue": money_short(m.attributed_revenue)},
        ),
        Kpi(
            _("Training completion"),
            percent(t.completion),
            link("training"),
            ngettext(
                "%(passed)d of %(n)d assigned course passed",
                "%(passed)d of %(n)d assigned courses passed",
                t.assigned,
            )
            % {"passed": t.passed, "n": t.assigned},
        ),
        Kpi(
            _("Sell-through rate"),
            percent(s.rate),
            link("sell-out"),
            _("%(out)d sold of %(opening)d in stock + %(sell_in)d shipped")
            % {"out": s.sell_out, "opening": s.opening_stock, "sell_in": s.sell_in},
        ),
        Kpi(
            _("Channel inventory days"),
            _("%(days)s days") % {"days": s.inventory_days}
            if s.inventory_days is not None
            else "—",
            link("sell-out"),
            _("stock at the latest reports ÷ daily sell-out"),
        ),
    ]


def funnel_chart(funnel: Funnel, link: Link) -> dict[str, Any]:
    stages = [
        (_("Submitted"), funnel.submitted, "submitted"),
        (_("Approved"), funnel.approved, "approved"),
        (_("Won"), funnel.won, "won"),
        (_("Lost"), funnel.lost, "lost"),
    ]
    return charts.chart(
        "bar",
        [label for label, _n, _s in stages],
        [charts.series(_("Deal registrations"), [n for _l, n, _s in stages])],
        title=_("Deal registration funnel"),
        value_kind=charts.NUMBER,
        horizontal=True,
        links=[link("deals", stage=stage) for _l, _n, stage in stages],
    )
