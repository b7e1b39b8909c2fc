"""The lists behind the cockpit's figures: same scope (partners, period, product line).

Each drill turns a `CockpitScope` into a `Table` of source rows (orders, shipments, payments,
partners), so the page, CSV and XLSX show the same rows. Other modules' figures add their own
drills to `DRILLS` (see `reports.figure_drills`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.metrics import COUNTED
from orders.models import (
    Order,
    OrderLine,
    Payment,
    Shipment,
    ShipmentLine,
    TopUpRequest,
    TopUpStatus,
)
from partners.models import PartnerStatus

from .filters import CockpitScope
from .geography import province_label
from .tables import MONEY, NUMBER, TEXT, Column, Table

ROW_LIMIT = 50_000  # exports stop here
PAGE_LIMIT = 500  # the page lists the newest rows; the export has them all


@dataclass(frozen=True)
class Drill:
    title: Any
    build: Callable[[CockpitScope, Any, int], Table]


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _orders(scope: CockpitScope) -> QuerySet[Order]:
    start, end = scope.period.bounds()
    orders = Order.objects.filter(
        partner__in=scope.partners, status__in=COUNTED, created_at__gte=start, created_at__lt=end
    )
    if scope.product_line is not None:
        orders = orders.filter(
            Exists(
                OrderLine.objects.filter(
                    order=OuterRef("pk"), product__product_line=scope.product_line
                )
            )
        )
    return orders


def orders_table(scope: CockpitScope, params: Any, limit: int = ROW_LIMIT) -> Table:
    table = Table(
        "orders",
        str(_("Orders placed")),
        [
            Column(_("Order no."), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Placed at"), TEXT),
            Column(_("Status"), TEXT),
            Column(_("Total"), MONEY),
        ],
    )
    rows = _orders(scope).select_related("partner").order_by("-created_at", "-pk")[:limit]
    for order in rows:
        table.rows.append(
            [
                order.number,
                order.partner.display_name,
                _local(order.created_at),
                order.get_status_display(),
                order.total,
            ]
        )
        table.links.append(reverse("orders:detail", args=[order.pk]))
    return table


def shipments_table(scope: CockpitScope, params: Any, limit: int = ROW_LIMIT) -> Table:
    start, end = scope.period.bounds()
    lines = ShipmentLine.objects.filter(shipment=OuterRef("pk"))
    if scope.product_line is not None:
        lines = lines.filter(order_line__product__product_line=scope.product_line)
    shipments = (
        Shipment.objects.filter(
            order__partner__in=scope.partners, shipped_at__gte=start, shipped_at__lt=end
        )
        .filter(Exists(lines))
        .select_related("order__partner")
        .annotate(units=Sum("lines__quantity"))
        .order_by("-shipped_at", "-pk")[:limit]
    )
    table = Table(
        "shipments",
        str(_("Shipments")),
        [
            Column(_("Shipment no."), TEXT),
            Column(_("Order no."), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Shipped at"), TEXT),
            Column(_("Units"), NUMBER),
        ],
    )
    for s in shipments:
        table.rows.append(
            [
                s.number,
                s.order.number,
                s.order.partner.display_name,
                _local(s.shipped_at),
                s.units,
            ]
        )
        table.links.append(reverse("orders:detail", args=[s.order_id]))
    return table


def payments_table(scope: CockpitScope, params: Any, limit: int = ROW_LIMIT) -> Table:
    """Money collected: payments received and approved wallet top-ups, newest first."""
    start, end = scope.period.start, scope.period.end
    payments = (
        Payment.objects.filter(
            partner__in=scope.partners, received_on__gte=start, received_on__lt=end
        )
        .select_related("partner")
        .order_by("-received_on", "-pk")[:limit]
    )
    top_ups = (
        TopUpRequest.objects.filter(
            partner__in=scope.partners,
            status=TopUpStatus.APPROVED,
            transferred_on__gte=start,
            transferred_on__lt=end,
        )
        .select_related("partner")
        .order_by("-transferred_on", "-pk")[:limit]
    )
    rows = [
        (p.received_on, p.number, p.partner, p.get_method_display(), p.amount, p.partner_id)
        for p in payments
    ] + [
        (t.transferred_on, t.number, t.partner, str(_("Wallet top-up")), t.amount, t.partner_id)
        for t in top_ups
    ]
    table = Table(
        "payments",
        str(_("Money collected")),
        [
            Column(_("No."), TEXT),
            Column(_("Partner"), TEXT),
            Column(_("Received on"), TEXT),
            Column(_("Method"), TEXT),
            Column(_("Amount"), MONEY),
        ],
    )
    for day, number, partner, method, amount, partner_id in sorted(
        rows, key=lambda r: (r[0], r[1]), reverse=True
    )[:limit]:
        table.rows.append([number, partner.display_name, day.isoformat(), method, amount])
        table.links.append(reverse("ledger:partner_ledger", args=[partner_id]))
    return table


def partners_table(scope: CockpitScope, params: Any, limit: int = ROW_LIMIT) -> Table:
    """Active partners; `which=ordering` keeps those that ordered, `which=idle` the others."""
    which = params.get("which", "")
    ordered = _orders(scope).filter(partner=OuterRef("pk"))
    partners = (
        scope.partners.filter(status=PartnerStatus.ACTIVE)
        .select_related("tier")
        .annotate(ordered=Exists(ordered))
    )
    if which == "ordering":
        partners = partners.filter(ordered=True)
    elif which == "idle":
        partners = partners.filter(ordered=False)
    table = Table(
        f"partners-{which or 'active'}",
        str(
            {"ordering": _("Partners that ordered"), "idle": _("Partners that did not order")}.get(
                which, _("Active partners")
            )
        ),
        [
            Column(_("Partner"), TEXT),
            Column(_("Province"), TEXT),
            Column(_("Tier"), TEXT),
            Column(_("Ordered in the period"), TEXT),
        ],
    )
    for p in partners.order_by("name")[:limit]:
        table.rows.append(
            [
                p.display_name,
                province_label(p.region),
                p.tier.display_name if p.tier else "",
                str(_("yes") if p.ordered else _("no")),
            ]
        )
        table.links.append(reverse("partners:detail", args=[p.pk]))
    return table


DRILLS: dict[str, Drill] = {
    "orders": Drill(_("Orders placed"), orders_table),
    "shipments": Drill(_("Shipments"), shipments_table),
    "payments": Drill(_("Money collected"), payments_table),
    "partners": Drill(_("Active partners"), partners_table),
}
