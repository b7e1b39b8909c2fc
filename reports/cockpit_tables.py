"""The cockpit's tables and charts, built from its figures (one definition for page and export)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import charts
from .cockpit import Group, SalesPicture, share
from .tables import MONEY, NUMBER, PERCENT, TEXT, Column, Table

Link = Callable[..., str]


def _group_table(
    key: str, title: str, first: str, groups: list[Group], link: Link, dimension: str | None
) -> Table:
    total = sum((g.totals.ordered for g in groups), start=0)
    table = Table(
        key,
        title,
        [
            Column(first, TEXT),
            Column(_("Partners"), NUMBER),
            Column(_("Ordered"), MONEY),
            Column(_("Shipped"), MONEY),
            Column(_("Collected"), MONEY),
            Column(_("Share of ordered"), PERCENT),
        ],
    )
    for g in groups:
        table.rows.append(
            [
                g.label,
                g.partners,
                g.totals.ordered,
                g.totals.shipped,
                g.totals.collected,
                share(g.totals.ordered, total),
            ]
        )
        table.links.append(link("orders", **{dimension: g.key}) if dimension else None)
    return table


def sales_tables(picture: SalesPicture, link: Link) -> list[Table]:
    trend = Table(
        "trend",
        _("By month"),
        [
            Column(_("Month"), TEXT),
            Column(_("Orders"), NUMBER),
            Column(_("Ordered"), MONEY),
            Column(_("Shipped"), MONEY),
            Column(_("Collected"), MONEY),
        ],
    )
    for month in picture.trend_months:
        t = picture.trend[month]
        trend.rows.append([f"{month:%Y-%m}", t.orders, t.ordered, t.shipped, t.collected])
        trend.links.append(link("orders", period="month", on=month.isoformat()))
    tables = [
        trend,
        _group_table("areas", _("By area"), _("Area"), picture.by_area, link, "area"),
        _group_table(
            "provinces", _("By province"), _("Province"), picture.by_province, link, "province"
        ),
        _group_table("tiers", _("By tier"), _("Tier"), picture.by_tier, link, "tier"),
        _group_table(
            "product_lines",
            _("By product line"),
            _("Product line"),
            picture.by_product_line,
            link,
            "product_line",
        ),
        _group_table("top", _("Top partners"), _("Partner"), picture.top, link, "partner"),
        _group_table("bottom", _("Bottom partners"), _("Partner"), picture.bottom, link, "partner"),
    ]
    return tables


def sales_charts(picture: SalesPicture, tables: dict[str, Table]) -> dict[str, Any]:
    months = [f"{m:%Y-%m}" for m in picture.trend_months]
    trend = [picture.trend[m] for m in picture.trend_months]
    return {
        "trend": charts.chart(
            "bar",
            months,
            [
                charts.series(_("Ordered"), [t.ordered for t in trend]),
                charts.series(_("Shipped"), [t.shipped for t in trend]),
                charts.series(_("Collected"), [t.collected for t in trend]),
            ],
            title=_("Sales by month"),
            links=tables["trend"].links,
        ),
        "areas": charts.chart(
            "bar",
            [g.label for g in picture.by_area],
            [charts.series(_("Ordered"), [g.totals.ordered for g in picture.by_area])],
            title=_("Ordered by area"),
            links=tables["areas"].links,
        ),
        "product_lines": charts.chart(
            "doughnut",
            [g.label for g in picture.by_product_line],
            [charts.series(_("Ordered"), [g.totals.ordered for g in picture.by_product_line])],
            title=_("Ordered by product line"),
            links=tables["product_lines"].links,
        ),
        "top": charts.chart(
            "bar",
            [g.label for g in picture.top],
            [charts.series(_("Ordered"), [g.totals.ordered for g in picture.top])],
            title=_("Top partners"),
            horizontal=True,
            links=tables["top"].links,
        ),
    }


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    href: str
    note: str = ""


def sales_kpis(picture: SalesPicture, link: Link) -> list[Kpi]:
    hours = picture.processing_hours
    return [
        Kpi(
            _("Order to first shipment"),
            _("%(hours)s h") % {"hours": hours} if hours is not None else "—",
            link("shipments"),
            ngettext(
                "mean over %(n)d order first shipped",
                "mean over %(n)d orders first shipped",
                picture.shipped_orders,
            )
            % {"n": picture.shipped_orders},
        )
    ]
