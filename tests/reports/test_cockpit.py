"""Cockpit sales figures against the hand-worked channel in cockpit_fixture (docs/cockpit.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict

from partners.models import Partner
from prm.accounts.roles import Role
from reports.cockpit import sales_picture
from reports.filters import CockpitFilter, cockpit_scope
from reports.geography import Area
from tests.factories import make_user

from .cockpit_fixture import Channel, build_channel

NOVEMBER = "period=month&on=2026-11-15"


@pytest.fixture
def channel(in_a: Any, vendor_admin: Any) -> Channel:
    return build_channel(vendor_admin)


def picture(user: Any, query: str = NOVEMBER) -> Any:
    return sales_picture(cockpit_scope(CockpitFilter(QueryDict(query), user=user)))


def test_november_totals_and_growth(channel: Channel, vendor_admin: Any) -> None:
    p = picture(vendor_admin)
    assert (p.ordered.current, p.ordered.previous, p.ordered.year_ago) == (
        Decimal("2997.00"),
        Decimal("500.00"),
        Decimal("899.00"),
    )
    assert p.ordered.vs_previous == Decimal("4.9940")  # (2997 - 500) / 500
    assert p.ordered.vs_year_ago == Decimal("2.3337")  # (2997 - 899) / 899 = 2.33370…
    assert p.shipped.current == Decimal("1199.00")  # 899 (lock x1) + 300 (cable x3 at 23:30 +08)
    assert p.shipped.previous == Decimal("0")
    assert (p.collected.current, p.collected.previous) == (Decimal("1000.00"), Decimal("500.00"))
    assert p.collected.vs_previous == Decimal("1.0000")
    assert p.order_count == 2  # the cancelled order does not count


def test_activity_and_processing_time(channel: Channel, vendor_admin: Any) -> None:
    p = picture(vendor_admin)
    assert (p.ordering_partners, p.active_partners) == (2, 3)
    assert p.active_ratio == Decimal("0.6667")
    # (48 h + 494.5 h) / 2 = 271.25 h, half-up to one place.
    assert (p.processing_hours, p.shipped_orders) == (Decimal("271.3"), 2)


def test_breakdowns(channel: Channel, vendor_admin: Any) -> None:
    p = picture(vendor_admin)
    areas = {
        g.key: (g.partners, g.totals.ordered, g.totals.shipped, g.totals.collected)
        for g in p.by_area
    }
    assert areas == {
        Area.EAST: (2, Decimal("1798.00"), Decimal("899.00"), Decimal("1000.00")),
        Area.CENTRAL_SOUTH: (1, Decimal("1199.00"), Decimal("300.00"), Decimal("0")),
    }
    assert [(g.key, g.totals.ordered) for g in p.by_province] == [
        ("上海", Decimal("1798.00")),
        ("广东", Decimal("1199.00")),
    ]
    lines = {g.label: g.totals.ordered for g in p.by_product_line}
    assert lines == {"门锁": Decimal("2697.00"), "线缆": Decimal("300.00")}
    assert [g.key for g in p.top] == [
        str(channel.east.pk),
        str(channel.south.pk),
        str(channel.idle.pk),
    ]
    assert [g.key for g in p.bottom] == [
        str(channel.idle.pk),
        str(channel.south.pk),
        str(channel.east.pk),
    ]


def test_trend_covers_twelve_months(channel: Channel, vendor_admin: Any) -> None:
    p = picture(vendor_admin)
    assert [f"{m:%Y-%m}" for m in p.trend_months][:2] == ["2025-12", "2026-01"]
    assert len(p.trend_months) == 12
    assert p.trend[p.trend_months[-2]].ordered == Decimal("500.00")  # October
    assert p.trend[p.trend_months[-1]].orders == 2


def test_product_line_filter(channel: Channel, vendor_admin: Any) -> None:
    p = picture(vendor_admin, f"{NOVEMBER}&product_line={channel.cables.pk}")
    assert (p.ordered.current, p.ordered.previous, p.ordered.year_ago) == (
        Decimal("300.00"),
        Decimal("500.00"),
        Decimal("0"),
    )
    assert p.ordered.vs_year_ago is None
    assert p.shipped.current == Decimal("300.00")
    assert p.ordering_partners == 1  # the east partner ordered no cable in November


def test_partner_dimension_filters(channel: Channel, vendor_admin: Any) -> None:
    east = picture(vendor_admin, f"{NOVEMBER}&area={Area.EAST}")
    assert (east.ordered.current, east.active_partners) == (Decimal("1798.00"), 2)
    guangdong = picture(vendor_admin, f"{NOVEMBER}&province=广东")
    assert guangdong.ordered.current == Decimal("1199.00")
    one = picture(vendor_admin, f"{NOVEMBER}&partner={channel.south.pk}")
    assert one.ordered.year_ago == Decimal("899.00")


def test_quarter_and_year_periods(channel: Channel, vendor_admin: Any) -> None:
    q4 = picture(vendor_admin, "period=quarter&on=2026-11-15")
    assert q4.ordered.current == Decimal("3497.00")  # Oct + Nov 2026
    assert q4.ordered.year_ago == Decimal("899.00")
    year = picture(vendor_admin, "period=year&on=2026-06-01")
    assert year.ordered.current == Decimal("3497.00")
    assert year.ordered.previous == Decimal("899.00")


def test_channel_manager_sees_only_his_partners(channel: Channel) -> None:
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=channel.south.pk).update(channel_manager=manager)
    p = picture(manager)
    assert p.ordered.current == Decimal("1199.00")
    assert p.active_partners == 1


def test_rollup_follows_a_new_payment(channel: Channel, vendor_admin: Any) -> None:
    from datetime import date

    from orders.ledger import payment_record
    from orders.models import PaymentMethod
    from reports.rollups import rollups_drain

    payment_record(
        partner=channel.south,
        amount=Decimal("250.50"),
        received_on=date(2026, 11, 2),
        method=PaymentMethod.CASH,
        actor=vendor_admin,
    )
    assert rollups_drain() == 1
    assert picture(vendor_admin).collected.current == Decimal("1250.50")


def test_one_refresh_job_per_transaction(channel: Channel, vendor_admin: Any) -> None:
    """The fixture's orders and payments, and three more payments, all in the test's one
    transaction: one refresh job waits for its commit."""
    from datetime import date

    from django.db import connection

    from orders.ledger import payment_record
    from orders.models import PaymentMethod
    from reports.models import RollupPending

    for partner in (channel.east, channel.south, channel.east):
        payment_record(
            partner=partner,
            amount=Decimal("10.00"),
            received_on=date(2026, 11, 3),
            method=PaymentMethod.CASH,
            actor=vendor_admin,
        )
    waiting = [f for _s, f, *_ in connection.run_on_commit if hasattr(f, "rollups_schema")]
    assert [f.rollups_schema for f in waiting] == ["alpha"]
    assert sorted(RollupPending.objects.values_list("partner_id", flat=True)) == sorted(
        [channel.east.pk, channel.south.pk]
    )


def test_approved_top_ups_count_as_collected(channel: Channel, vendor_admin: Any) -> None:
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders.ledger import top_up_approve, top_up_submit
    from reports.rollups import rollups_drain

    def top_up(amount: str) -> Any:
        return top_up_submit(
            partner=channel.south,
            amount=Decimal(amount),
            transferred_on=date(2026, 11, 28),
            bank_reference="BR-1",
            proof=SimpleUploadedFile(
                "slip.pdf", b"%PDF-1.4\n% bank slip\n", content_type="application/pdf"
            ),
            user=make_user(Role.PARTNER_ADMIN, partner=channel.south),
        )

    approved, waiting = top_up("300.00"), top_up("999.00")
    top_up_approve(request=approved, actor=vendor_admin)
    rollups_drain()
    p = picture(vendor_admin)
    assert p.collected.current == Decimal("1300.00")  # 1000.00 paid + 300.00 topped up
    assert waiting.status == "submitted"


def test_a_refresh_that_fails_half_way_leaves_the_rest_pending(
    channel: Channel, vendor_admin: Any, monkeypatch: Any
) -> None:
    from datetime import date

    from reports import rollups
    from reports.models import RollupPending

    months = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    rollups.rollups_mark([(channel.east.pk, m) for m in months])
    real = rollups.slice_refresh
    seen: list[date] = []

    def flaky(*, partner_id: int, month: date) -> None:
        seen.append(month)
        if len(seen) == 2:
            raise RuntimeError("database went away")
        real(partner_id=partner_id, month=month)

    monkeypatch.setattr(rollups, "slice_refresh", flaky)
    with pytest.raises(RuntimeError):
        rollups.rollups_drain()
    left = sorted(RollupPending.objects.values_list("month", flat=True))
    assert left == months[1:]  # the first slice is done; the failed one and the next wait
    monkeypatch.setattr(rollups, "slice_refresh", real)
    assert rollups.rollups_drain() == 2
    assert not RollupPending.objects.exists()


def test_a_running_period_has_no_growth_rate(channel: Channel, vendor_admin: Any) -> None:
    from prm.tenancy.selectors import tenant_today

    now = picture(vendor_admin, f"period=month&on={tenant_today().isoformat()}")
    assert now.running is True
    assert (now.ordered.vs_previous, now.ordered.vs_year_ago) == (None, None)
    assert picture(vendor_admin).running is False  # November 2026 is over
