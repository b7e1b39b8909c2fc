"""The daily low-stock digest for the order desk.

Runs in one vendor schema (beat fans it out per tenant). Each stock row is reported once per
drop below its safety stock: `alerted_at` is set here and cleared by `orders.inventory` when
goods received, a count or a release bring the row back to its safety stock.
"""

from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.jobs import job
from prm.tenancy.selectors import current_tenant, tenant_base_url

from .inventory import stock_low
from .models import Stock

ALERT_ROLES = (Role.ORDER_DESK, Role.ADMIN)


def _recipients() -> list[str]:
    return list(
        User.objects.filter(role__in=ALERT_ROLES, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def _send(rows: list[Stock], recipients: list[str]) -> None:
    context = {
        "rows": rows,
        "vendor_name": current_tenant().name,
        "list_url": tenant_base_url() + reverse("inventory:list") + "?low=1",
    }
    # Bilingual, like the other notices: each recipient's language is not known here.
    with translation.override("zh-hans"):
        subject = render_to_string("orders/inventory/email/low_stock_subject.txt", context)
        body = render_to_string("orders/inventory/email/low_stock.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


@job("orders.inventory_tasks.alert_low_stock")
def alert_low_stock() -> int:
    """Email one digest of the stock rows newly below their safety stock; returns how many.

    Safe to run twice: the rows are locked and re-checked, and marked in the same transaction,
    so a second run (or a concurrent one) finds nothing new and sends nothing.
    """
    recipients = _recipients()
    if not recipients:
        return 0
    with transaction.atomic():
        rows = list(
            stock_low()
            .filter(alerted_at__isnull=True)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not rows:
            return 0
        Stock.objects.filter(pk__in=[row.pk for row in rows]).update(alerted_at=timezone.now())
        rows.sort(key=lambda r: (r.product.sku, r.warehouse.priority, r.warehouse_id))
        transaction.on_commit(partial(_send, rows, recipients))
    return len(rows)
