"""How much data each benchmark scale holds. `large` is the issue's realistic vendor: thousands
of dealers, tens of thousands of SKUs, millions of order lines over two years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scale:
    name: str
    partners: int
    provinces: int
    product_lines: int
    skus: int
    order_lines: int
    registrations: int
    named_accounts: int
    sell_out: int
    mdf_requests: int
    dealers_with_users: int = 16  # partners given a partner-admin login for page scenarios
    partner_price_lists: int = 20
    lines_per_order: int = 5
    months: int = 24


SCALES = {
    s.name: s
    for s in (
        Scale("tiny", 40, 30, 4, 200, 4_000, 600, 60, 300, 40, partner_price_lists=4),
        Scale("small", 500, 30, 40, 2_000, 100_000, 20_000, 2_000, 10_000, 1_000),
        Scale("medium", 2_000, 30, 40, 8_000, 500_000, 80_000, 8_000, 40_000, 4_000),
        Scale("large", 5_000, 30, 40, 20_000, 2_000_000, 200_000, 20_000, 100_000, 10_000),
    )
}

# Fixed calendar, so a seed gives the same rows on any day: 24 months ending November 2026.
END = date(2026, 11, 30)


def start_of(scale: Scale) -> date:
    year, month = END.year, END.month - scale.months + 1
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)
