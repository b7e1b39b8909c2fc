"""Fixtures shared by the cockpit figure tests: a vendor counting in Asia/Shanghai, and the
cockpit's partners as the lead's page gets them: a channel manager's visible partners."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.models import Tenant
from reports.periods import Period, PeriodKind
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    """A moment on the vendor's clock."""
    return datetime(*args, tzinfo=SHANGHAI)


def month(year: int, number: int) -> Period:
    return Period.containing(PeriodKind.MONTH, date(year, number, 1))


def quarter(year: int, number: int) -> Period:
    return Period.containing(PeriodKind.QUARTER, date(year, number * 3 - 2, 1))


@pytest.fixture
def vendor(in_a: Tenant) -> Tenant:
    """Vendor A counts its days in Asia/Shanghai (the default), whatever the server's zone."""
    if in_a.time_zone != "Asia/Shanghai":
        in_a.time_zone = "Asia/Shanghai"
        in_a.save(update_fields=["time_zone"])
    return in_a


@pytest.fixture
def manager(vendor: Tenant) -> User:
    """The cockpit's reader: a channel manager, who sees the partners he manages."""
    return make_user(Role.CHANNEL_MANAGER)
