"""The benchmark data generator at a tiny scale (`make bench` runs it at small and large): it
must not rot. Reproducible for a seed, consistent the way the product keeps its own rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum

from deal_registration.conflicts import Probe, find_conflicts
from deal_registration.models import DealRegistration
from mdf.models import MdfAllocation
from orders.models import (
    Account,
    LedgerEntry,
    Order,
    OrderLine,
    PriceList,
    PriceListItem,
    Product,
    Stock,
)
from partners.models import Partner
from prm.bench.generate import Manifest, fill
from prm.bench.sql import scalar
from rebates.engine import recalculate
from rebates.models import RebateAccrual, RebateProgram

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(in_a):
    manifest = Manifest("alpha", "tiny", 20261206, "admin@alpha.test", [], "")
    return fill(manifest, say=lambda _text: None)


def test_tiny_scale_has_the_stated_sizes_for_the_seed(filled):
    counts = filled.counts
    assert (counts["partners"], counts["skus"], counts["product lines"]) == (40, 200, 4)
    assert counts["order lines"] == 4_000
    assert counts["registrations"] == 600
    assert counts["rebate programs"] == 20
    # Drawn by SQL random() after setseed: the same seed gives the same rows.
    assert (counts["orders"], counts["shipments"], counts["returns"]) == (795, 709, 17)
    assert counts["payments"] == 400
    assert Partner.objects.count() == 40
    assert Product.objects.count() == 200
    assert len(filled.dealer_logins) == 16
    # Tier prices for every SKU (and quantity breaks for one in ten), province and partner lists.
    kinds = dict(PriceList.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    assert kinds == {"tier": 4, "region": 6, "partner": 4}
    assert PriceListItem.objects.filter(price_list__kind="tier", min_quantity=1).count() == 4 * 200


def test_orders_add_up_and_money_has_its_entries(filled):
    mismatched = (
        Order.objects.annotate(lines_total=Sum("lines__line_total"))
        .exclude(total=F("lines_total"))
        .count()
    )
    assert mismatched == 0
    assert OrderLine.objects.filter(shipped_quantity__gt=F("quantity")).count() == 0
    # Every balance is the sum of its entries, as the ledger keeps it.
    for account in Account.objects.exclude(balance=0)[:50]:
        entries = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
        assert entries == account.balance
    assert Stock.objects.filter(reserved__gt=F("on_hand")).count() == 0
    assert (
        MdfAllocation.objects.filter(
            allocated__lt=F("reserved") + F("claimed") + F("paid") + F("expired")
        ).count()
        == 0
    )


def test_the_product_works_on_the_generated_rows(filled):
    # Conflict keys are the product's own: a registration finds itself by name.
    registration = DealRegistration.objects.filter(holds_claim=True).order_by("pk").first()
    found = find_conflicts(Probe.of(customer_name=registration.customer_name))
    assert registration.pk in {c.registration.pk for c in found if c.registration is not None}
    program = RebateProgram.objects.get(code="bench-ordered-all")
    accruals = recalculate(program, date(2026, 7, 1), date(2026, 9, 30))
    assert len(accruals) == RebateAccrual.objects.filter(program=program).count() > 0
    window = (
        "o.created_at >= '2026-06-30T16:00:00Z' AND o.created_at < '2026-09-30T16:00:00Z' "
        "AND o.status NOT IN ('cancelled', 'rejected') AND NOT l.is_gift"
    )
    ordered = scalar(
        "SELECT sum(l.line_total) FROM orders_orderline l "
        f"JOIN orders_order o ON o.id = l.order_id WHERE {window}"
    )
    returned = scalar(
        "SELECT coalesce(sum(r.refund), 0) FROM orders_returnline r "
        "JOIN orders_returnrequest q ON q.id = r.request_id AND q.status = 'received' "
        f"JOIN orders_orderline l ON l.id = r.order_line_id JOIN orders_order o "
        f"ON o.id = l.order_id WHERE {window}"
    )
    basis = ordered - returned
    assert sum((a.basis for a in accruals), Decimal(0)) == basis
