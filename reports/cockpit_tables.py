"""The cockpit's tables and charts, built from its figures (one definition for page and export)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import charts
from .cockpit import ZERO, Group, SalesPicture, share
from .tables import MONEY, NUMBER, PERCENT, TEXT, Column, Table

Link = Callable[..., str]


def _group_table(
    key: str,
    title: str,
    first: str,
    groups: list[Group],
    link: Link,
    dimension: str,
    *,
    count: str | None = None,
    collected: bool = True,
) -> Table:
    """A breakdown table; `count` labels the partner-count column (none for partner rows),
    and product lines have no collected column (money received does not split by line)."""
    total = sum((g.totals.ordered for g in groups), start=ZERO)
    columns = [Column(first, TEXT)]
    columns += [Column(count, NUMBER)] if count else []
    columns += [
        Column(pgettext("money", "Ordered"), MONEY),
        Column(pgettext("money", "Shipped"), MONEY),
    ]
    columns += [Column(pgettext("money", "Collected"), MONEY)] if collected else []
    columns += [Column(_("Share of ordered"), PERCENT)]
    table = Table(key, title, columns)
    for g in groups:
        row: list[Any] = [g.label] + ([g.partners] if count else [])
        row += [g.totals.ordered, g.totals.shipped] + ([g.totals.collected] if collected else [])
        table.rows.append([*row, share(g.totals.ordered, total)])
        # Rows without a key (no tier, no product line) have no filter that selects them alone.
        table.links.append(link("orders", **{dimension: g.key}) if g.key else None)
    return table


def sales_tables(picture: SalesPicture, link: Link) -> list[Table]:
    partners = _("Partners")
    trend = Table(
        "trend",
        _("By month"),
        [
            Column(_("Month"), TEXT),
            Column(_("Orders"), NUMBER),
            Column(pgettext("money", "Ordered"), MONEY),
            Column(pgettext("money", "Shipped"), MONEY),
            Column(pgettext("money", "Collected"), MONEY),
        ],
    )
    for month in picture.trend_months:
        t = picture.trend[month]
        trend.rows.append([f"{month:%Y-%m}", t.orders, t.ordered, t.shipped, t.collected])
        trend.links.append(link("orders", period="month", on=month.isoformat()))
    tables = [
        trend,
        _group_table(
            "areas", _("By area"), _("Area"), picture.by_area, link, "area", count=partners
        ),
        _group_table(
            "provinces",
            _("By province"),
            _("Province"),
            picture.by_province,
            link,
            "province",
            count=partners,
        ),
        _group_table(
            "tiers", _("By tier"), _("Tier"), picture.by_tier, link, "tier", count=partners
        ),
        _group_table(
            "product_lines",
            _("By product line"),
            _("Product line"),
            picture.by_product_line,
            link,
            "product_line",
            count=_("Partners that ordered"),
            collected=False,
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
                charts.series(pgettext("money", "Ordered"), [t.ordered for t in trend]),
                charts.series(pgettext("money", "Shipped"), [t.shipped for t in trend]),
                charts.series(pgettext("money", "Collected"), [t.collected for t in trend]),
            ],
            title=_("Sales by month"),
            links=tables["trend"].links,
        ),
        "areas": charts.chart(
            "bar",
            [g.label for g in picture.by_area],
            [
                charts.series(
                    pgettext("money", "Ordered"), [g.totals.ordered for g in picture.by_area]
                )
            ],
            title=_("Ordered by area"),
            links=tables["areas"].links,
        ),
        "product_lines": charts.chart(
            "doughnut",
            [g.label for g in picture.by_product_line],
            [
                charts.series(
                    pgettext("money", "Ordered"),
                    [g.totals.ordered for g in picture.by_product_line],
                )
            ],
            title=_("Ordered by product line"),
            links=tables["product_lines"].links,
        ),
        "top": charts.chart(
            "bar",
            [g.label for g in picture.top],
            [charts.series(pgettext("money", "Ordered"), [g.totals.ordered for g in picture.top])],
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
