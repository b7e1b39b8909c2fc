"""Rebate models, one module per area; import from `rebates.models`."""

from .accruals import (
    RebateAccrual,
    RebateRun,
    RebateSettlement,
    SettlementKind,
    SettlementMethod,
    SourceKind,
)
from .price_protection import PriceProtection, PriceProtectionCredit, ProtectionStatus
from .programs import (
    PROGRAM_TRANSITIONS,
    Basis,
    PeriodType,
    ProgramStatus,
    RebateProgram,
    RebateProgramStatusChange,
    RebateTier,
    TierMode,
)

__all__ = [
    "PROGRAM_TRANSITIONS",
    "Basis",
    "PeriodType",
    "PriceProtection",
    "PriceProtectionCredit",
    "ProgramStatus",
    "ProtectionStatus",
    "RebateAccrual",
    "RebateProgram",
    "RebateProgramStatusChange",
    "RebateRun",
    "RebateSettlement",
    "RebateTier",
    "SettlementKind",
    "SettlementMethod",
    "SourceKind",
    "TierMode",
]
