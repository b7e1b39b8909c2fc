"""Fixtures shared by the rebate tests."""

from __future__ import annotations

import pytest

from prm.tenancy.models import Tenant


@pytest.fixture
def vendor(in_a: Tenant) -> Tenant:
    """Vendor A counts its days in Asia/Shanghai (the default), whatever the server's zone."""
    if in_a.time_zone != "Asia/Shanghai":
        in_a.time_zone = "Asia/Shanghai"
        in_a.save(update_fields=["time_zone"])
    return in_a
