"""The ERP sync job: every 15 minutes per vendor (beat), for each active connection, orders go
out first, then products, stock, payments and invoices come in. Each step logs its own run; one that
cannot reach the ERP fails alone and the next run picks up from the links."""

from __future__ import annotations

from prm.core.jobs import job

from .models import ErpConnection
from .sync import (
    erp_pull_invoices,
    erp_pull_payments,
    erp_pull_products,
    erp_pull_stock,
    erp_push_orders,
)

STEPS = (erp_push_orders, erp_pull_products, erp_pull_stock, erp_pull_payments, erp_pull_invoices)


@job("orders.erp.tasks.erp_sync", soft_time_limit=10 * 60, time_limit=11 * 60)
def erp_sync(connection_id: int | None = None) -> int:
    """Every active connection, or the one asked for ("Synchronise now")."""
    runs = 0
    connections = ErpConnection.objects.filter(is_active=True).order_by("pk")
    if connection_id is not None:
        connections = connections.filter(pk=connection_id)
    for connection in connections:
        for step in STEPS:
            step(connection=connection)
            runs += 1
    return runs
