"""The nightly statement run: last month's statement for every partner that is stated.

Beat fires it daily in every vendor schema (prm.core.tasks.dispatch_to_tenants). The first run
after a month ends creates its statements; every later run, and a repeated or concurrent one,
finds them there and creates nothing.
"""

from __future__ import annotations

from prm.core.jobs import job
from prm.tenancy.selectors import tenant_today

from .statements import month_previous, statements_generate_month


@job(
    "orders.statements_tasks.generate_statements",
    # Each partner's statement commits on its own: a run cut short is finished by the next one.
    soft_time_limit=900,
    time_limit=960,
)
def generate_statements() -> int:
    """Generate last month's statements (in the vendor's time zone); returns how many."""
    return statements_generate_month(period=month_previous(tenant_today()))
