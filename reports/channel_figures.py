"""The cockpit's figures beyond sales, each with the rows behind it for drill-down.

Every function is keyword-only, takes the cockpit's partners as a queryset (already scoped to
the reader and filtered) and, where the figure is about a time span, a `reports.periods.Period`;
those that split by product line take `product_line_id`. Each returns a frozen dataclass and runs
a fixed number of queries. Definitions: docs/cockpit_figures.md.
"""

from __future__ import annotations

from .figures_deals import Funnel, deal_funnel, funnel_deals
from .figures_mdf import MdfSummary, mdf_activities, mdf_claims, mdf_summary
from .figures_partners import new_partner_list, new_partners
from .figures_rebates import (
    Liability,
    liability_accruals,
    liability_settlements,
    rebate_liability,
)
from .figures_stock import (
    SellThrough,
    sell_through,
    sell_through_rows,
    sell_through_sales,
    sell_through_shipments,
)
from .figures_training import Training, training_completion, training_people

__all__ = [
    "Funnel",
    "Liability",
    "MdfSummary",
    "SellThrough",
    "Training",
    "deal_funnel",
    "funnel_deals",
    "liability_accruals",
    "liability_settlements",
    "mdf_activities",
    "mdf_claims",
    "mdf_summary",
    "new_partner_list",
    "new_partners",
    "rebate_liability",
    "sell_through",
    "sell_through_rows",
    "sell_through_sales",
    "sell_through_shipments",
    "training_completion",
    "training_people",
]
