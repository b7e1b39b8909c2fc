"""The hand-worked channel of tests/reports/cockpit_fixture.py (vendor A, Asia/Shanghai), seen
on 2026-11-16, a Monday: November 2026 is the current month.

| partner | area | 2026-11 ordered | shipped | collected |
|---|---|---|---|---|
| east (上海) | 华东 | 1,798.00 | 899.00 | 1,000.00 |
| south (广东) | 中南 | 1,199.00 | 300.00 | 0 |
| idle (上海) | 华东 | 0 (its order was cancelled) | 0 | 0 |

Whole channel: ordered 2,997.00 (October 500.00, November 2025 899.00), shipped 1,199.00,
collected 1,000.00; 2 of 3 active partners ordered; 271.3 h from order to first shipment.
In 2026 east bought 2,298.00 (scoreboard), south 1,199.00.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

import pytest

from prm.accounts.roles import Role
from tests.factories import make_user
from tests.reports.cockpit_fixture import Channel, build_channel

TODAY = date(2026, 12, 16)  # November, the report month, is over: growth rates show
NOVEMBER = "period=month&on=2026-11-15"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The builders read the vendor's today: pin it to the channel's month."""
    for where in ("reports.filters.tenant_today", "reports.scoreboard_document.tenant_today"):
        monkeypatch.setattr(where, lambda: TODAY)
    return TODAY


@pytest.fixture
def channel(in_a: Any, vendor_admin: Any, today: date) -> Channel:
    return build_channel(vendor_admin)


@pytest.fixture
def people(channel: Channel) -> dict[str, Any]:
    """Who asks: staff of several roles, each partner's users, a deactivated colleague."""
    manager = make_user(Role.CHANNEL_MANAGER, full_name="李经理", email="li@alpha.example.cn")
    channel.south.channel_manager = manager
    channel.south.save(update_fields=["channel_manager"])
    return {
        "finance": make_user(Role.FINANCE, full_name="王会计", email="wang@alpha.example.cn"),
        "manager": manager,  # sees only south
        "east_admin": make_user(
            Role.PARTNER_ADMIN, partner=channel.east, full_name="周强", email="zhou@east.example.cn"
        ),
        "south_admin": make_user(
            Role.PARTNER_ADMIN,
            partner=channel.south,
            full_name="孙海",
            email="sun@south.example.cn",
        ),
    }


@pytest.fixture
def scoreboard(in_a: Any) -> None:
    """The scoreboard's builder, whether or not reports.builders imports it yet."""
    import_module("reports.scoreboard_document")
