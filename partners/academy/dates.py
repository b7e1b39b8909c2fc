"""The academy's calendar: the vendor's today, and how long a certificate lasts.

Every academy module asks `dates.today()`, so a test (or a replayed job) moves one clock."""

from __future__ import annotations

from datetime import date

from partners.agreements.services import add_months
from prm.tenancy.selectors import tenant_today


def today() -> date:
    return tenant_today()


def expiry_date(issued_on: date, validity_months: int | None) -> date | None:
    """The day a certificate stops being valid: the same day `validity_months` later (the last
    day of that month when it has no such day). None: it does not expire."""
    if not validity_months:
        return None
    return add_months(issued_on, validity_months)
