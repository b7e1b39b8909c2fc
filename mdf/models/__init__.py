"""MDF models, one module per area; import from `mdf.models`."""

from .claims import (
    CLAIM_TRANSITIONS,
    ClaimStatus,
    MdfClaim,
    MdfClaimStatusChange,
    MdfInvoice,
    SettledAs,
)
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
    "CLAIM_TRANSITIONS",
    "FUND_TRANSITIONS",
    "REQUEST_TRANSITIONS",
    "AllocationMode",
    "ClaimStatus",
    "EvidenceKind",
    "FundEntryKind",
    "FundStatus",
    "MdfActivityType",
    "MdfAllocation",
    "MdfClaim",
    "MdfClaimStatusChange",
    "MdfEvidence",
    "MdfFund",
    "MdfFundStatusChange",
    "MdfInvoice",
    "MdfLedgerEntry",
    "MdfRequest",
    "MdfRequestLine",
    "MdfRequestStatusChange",
    "RequestStatus",
    "SettledAs",
]
