"""MDF models, one module per area; import from `mdf.models`."""

from .evidence import MdfEvidence
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
from .requests import (
    REQUEST_TRANSITIONS,
    EvidenceKind,
    MdfActivityType,
    MdfRequest,
    MdfRequestLine,
    MdfRequestStatusChange,
    RequestStatus,
)

__all__ = [
    "FUND_TRANSITIONS",
    "REQUEST_TRANSITIONS",
    "AllocationMode",
    "EvidenceKind",
    "FundEntryKind",
    "FundStatus",
    "MdfActivityType",
    "MdfAllocation",
    "MdfEvidence",
    "MdfFund",
    "MdfFundStatusChange",
    "MdfLedgerEntry",
    "MdfRequest",
    "MdfRequestLine",
    "MdfRequestStatusChange",
    "RequestStatus",
]
