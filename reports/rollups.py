"""Keep the monthly rollups (`SalesLineMonth`, `PartnerMonth`) equal to their sources.

Changes to orders, shipments and payments mark the partner-months they touch
(`rollups_mark`, through `reports.receivers`); a job queued on commit recomputes each marked
slice from its source rows (`slice_refresh`). A slice's pending row stays locked while the slice
is recomputed and is deleted in that same transaction; marking upserts the row, so a writer that
commits during a refresh waits for it and leaves the slice marked again: no change is lost, and a
job that dies half-way leaves the rest pending.
`rollups_rebuild` recomputes everything (after imports, bulk loads or a change of product line).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth

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
from prm.core.money import MoneyField
from prm.tenancy.selectors import tenant_zone

from .models import PartnerMonth, RollupPending, SalesLineMonth
from .periods import Period, add_months, month_of

HOURS = Decimal("0.01")


def rollups_mark(slices: Iterable[tuple[int, date]]) -> None:
    """Mark (partner id, month) slices for refresh once the current transaction commits."""
    rows = [RollupPending(partner_id=p, month=m) for p, m in set(slices)]
    if not rows:
        return
    # An upsert, not "do nothing": it locks an existing row until this transaction commits, so a
    # refresh running meanwhile skips the slice instead of recomputing it without this change.
    RollupPending.objects.bulk_create(
        sorted(rows, key=lambda r: (r.partner_id, r.month)),
        update_conflicts=True,
        unique_fields=["month", "partner"],
        update_fields=["queued_at"],
    )
    _refresh_on_commit()


def _refresh_on_commit() -> None:
    """Queue one refresh per transaction, however many rows it changed (an import of a thousand
    orders queues one job, not a thousand)."""
    from prm.core.jobs import job_send
    from prm.tenancy.db import tenant_connection

    from .tasks import rollups_refresh

    schema = tenant_connection().schema_name
    pending = transaction.get_connection().run_on_commit
    if any(getattr(item[1], "rollups_schema", None) == schema for item in pending):
        return

    def send() -> None:
        # Broker down: logged, not raised after the commit; the quarter-hourly refresh catches up.
        job_send(rollups_refresh, schema=schema)

    send.rollups_schema = schema  # type: ignore[attr-defined]
    transaction.on_commit(send)


def rollups_drain(*, limit: int = 500) -> int:
    """Refresh up to `limit` pending slices, each in its own transaction; returns how many.

    A slice's pending row is locked, the slice recomputed and the row deleted in one
    transaction: a job that dies half-way loses nothing (the rest stay pending), and rows a
    writer still holds are skipped until it commits.
    """
    done = 0
    while done < limit:
        with transaction.atomic():
            row = (
                RollupPending.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "partner_id", "month")
                .first()
            )
            if row is None:
                break
            pk, partner_id, month = row
            slice_refresh(partner_id=partner_id, month=month)
            RollupPending.objects.filter(pk=pk).delete()
        done += 1
    return done


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=tenant_zone())


def _line_sales(lines: QuerySet[OrderLine], shipped: QuerySet[ShipmentLine]) -> dict[Any, dict]:
    """{(month, partner, product line): measures} for the given order and shipment lines."""
    out: dict[Any, dict] = {}
    ordered = (
        lines.filter(order__status__in=COUNTED)
        .values(
            month=_month("order__created_at"),
            pid=F("order__partner_id"),
            line=F("product__product_line_id"),
        )
        .annotate(amount=Sum("line_total"), quantity=Sum("quantity"))
        .order_by()
    )
    for row in ordered:
        key = (row["month"].date(), row["pid"], row["line"])
        out.setdefault(key, {})
        out[key].update(ordered_amount=row["amount"], ordered_quantity=row["quantity"])
    net_unit = ExpressionWrapper(
        F("order_line__line_total") * F("quantity") / F("order_line__quantity"),
        output_field=DecimalField(max_digits=30, decimal_places=10),
    )
    sent = (
        shipped.values(
            month=_month("shipment__shipped_at"),
            pid=F("shipment__order__partner_id"),
            line=F("order_line__product__product_line_id"),
        )
        .annotate(amount=Sum(net_unit), quantity=Sum("quantity"))
        .order_by()
    )
    for row in sent:
        key = (row["month"].date(), row["pid"], row["line"])
        out.setdefault(key, {})
        out[key].update(
            shipped_amount=row["amount"].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            shipped_quantity=row["quantity"],
        )
    return out


def _partner_totals(
    orders: QuerySet[Order],
    payments: QuerySet[Payment],
    top_ups: QuerySet[TopUpRequest],
    first_shipped: QuerySet[Order],
) -> dict[tuple[date, int], dict]:
    """Per partner-month: orders placed, their hours to first shipment, and money collected,
    which is payments received plus approved wallet top-ups (both are money the vendor got)."""
    out: dict[tuple[date, int], dict] = {}
    placed = (
        orders.filter(status__in=COUNTED)
        .values(month=_month("created_at"), pid=F("partner_id"))
        .annotate(n=Count("pk"), amount=Sum("total"))
        .order_by()
    )
    for row in placed:
        out.setdefault((row["month"].date(), row["pid"]), {}).update(
            order_count=row["n"], ordered_amount=row["amount"]
        )
    waited = ExpressionWrapper(F("first") - F("created_at"), output_field=DurationField())
    shipped = (
        first_shipped.values(month=_month("first"), pid=F("partner_id"))
        .annotate(n=Count("pk"), waited=Sum(waited))
        .order_by()
    )
    for row in shipped:
        hours = Decimal(row["waited"] / timedelta(seconds=1)) / 3600
        out.setdefault((row["month"].date(), row["pid"]), {}).update(
            first_shipped_count=row["n"],
            processing_hours=hours.quantize(HOURS, rounding=ROUND_HALF_UP),
        )
    for received in (payments, top_ups.filter(status=TopUpStatus.APPROVED)):
        day = "received_on" if received.model is Payment else "transferred_on"
        for row in (
            received.values(month=TruncMonth(day), pid=F("partner_id"))
            .annotate(amount=Sum("amount", output_field=MoneyField()))
            .order_by()
        ):
            slice_ = out.setdefault((row["month"], row["pid"]), {})
            slice_["collected_amount"] = slice_.get("collected_amount", 0) + row["amount"]
    return out


def _first_shipped() -> QuerySet[Order]:
    first = (
        Shipment.objects.filter(order=OuterRef("pk")).order_by("shipped_at").values("shipped_at")
    )
    return Order.objects.annotate(first=Subquery(first[:1])).filter(first__isnull=False)


def _write(lines: dict[Any, dict], totals: dict[tuple[date, int], dict]) -> None:
    for (m, p, _line), values in lines.items():
        if values.get("shipped_amount"):
            partner = totals.setdefault((m, p), {})
            partner["shipped_amount"] = partner.get("shipped_amount", 0) + values["shipped_amount"]
    SalesLineMonth.objects.bulk_create(
        [
            SalesLineMonth(month=m, partner_id=p, product_line_id=line, **values)
            for (m, p, line), values in lines.items()
        ],
        batch_size=2000,
    )
    PartnerMonth.objects.bulk_create(
        [PartnerMonth(month=m, partner_id=p, **values) for (m, p), values in totals.items()],
        batch_size=2000,
    )


def slice_refresh(*, partner_id: int, month: date) -> None:
    """Recompute one partner's month from its source rows."""
    start, end = Period("month", month, add_months(month, 1)).bounds()
    in_month = Q(created_at__gte=start, created_at__lt=end)
    with transaction.atomic():
        # Two refreshes of one slice take turns, so neither deletes the other's fresh rows.
        with connection.cursor() as cursor:
            key = zlib.crc32(f"rollup:{partner_id}:{month.isoformat()}".encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        SalesLineMonth.objects.filter(partner_id=partner_id, month=month).delete()
        PartnerMonth.objects.filter(partner_id=partner_id, month=month).delete()
        lines = _line_sales(
            OrderLine.objects.filter(
                order__partner_id=partner_id,
                order__created_at__gte=start,
                order__created_at__lt=end,
            ),
            ShipmentLine.objects.filter(
                shipment__order__partner_id=partner_id,
                shipment__shipped_at__gte=start,
                shipment__shipped_at__lt=end,
            ),
        )
        totals = _partner_totals(
            Order.objects.filter(in_month, partner_id=partner_id),
            Payment.objects.filter(
                partner_id=partner_id, received_on__gte=month, received_on__lt=add_months(month, 1)
            ),
            TopUpRequest.objects.filter(
                partner_id=partner_id,
                transferred_on__gte=month,
                transferred_on__lt=add_months(month, 1),
            ),
            _first_shipped().filter(partner_id=partner_id, first__gte=start, first__lt=end),  # type: ignore[misc]
        )
        _write(lines, totals)


@transaction.atomic
def rollups_rebuild() -> tuple[int, int]:
    """Recompute every slice; returns the numbers of line and partner rows written."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE reports_saleslinemonth, reports_partnermonth IN EXCLUSIVE MODE")
    SalesLineMonth.objects.all().delete()
    PartnerMonth.objects.all().delete()
    RollupPending.objects.all().delete()
    lines = _line_sales(OrderLine.objects.all(), ShipmentLine.objects.all())
    totals = _partner_totals(
        Order.objects.all(), Payment.objects.all(), TopUpRequest.objects.all(), _first_shipped()
    )
    _write(lines, totals)
    return len(lines), len(totals)


def slices_of_order(order: Order) -> set[tuple[int, date]]:
    """The slices an order's placing and shipments count in."""
    months = {month_of(order.created_at)}
    months |= {month_of(at) for at in order.shipments.values_list("shipped_at", flat=True)}
    return {(order.partner_id, m) for m in months}
