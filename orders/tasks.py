"""Daily ordering-mall jobs; beat fans them out per vendor (prm.core.tasks.dispatch_to_tenants)."""

from __future__ import annotations

from django.utils import timezone

from prm.core.jobs import job

from .models import OrderingSettings
from .workflow import orders_autocomplete


@job("orders.tasks.complete_shipped_orders")
def complete_shipped_orders() -> int:
    """Safe to run twice: an order already completed is not due any more."""
    return orders_autocomplete(
        now=timezone.now(), days=OrderingSettings.current().auto_complete_days
    )
