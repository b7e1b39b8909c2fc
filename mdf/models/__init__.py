"""MDF models, one module per area; import from `mdf.models`."""

from .funds import (
    FUND_TRANSITIONS,
    AllocationMode,
    FundEntryKind,
    FundStatus,
    MdfAllocation,
    MdfFund,
    MdfFundStatusChange,
    MdfLedgerEntry,
)

__all__ = [
    "FUND_TRANSITIONS",
    "AllocationMode",
    "FundEntryKind",
    "FundStatus",
    "MdfAllocation",
    "MdfFund",
    "MdfFundStatusChange",
    "MdfLedgerEntry",
]
