"""Rebate models, one module per area; import from `rebates.models`."""

from .accruals import (
    RebateAccrual,
    RebateAccrualLine,
    RebateRun,
    RebateSettlement,
    SettlementKind,
    SourceKind,
)
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
    "ProgramStatus",
    "RebateAccrual",
    "RebateAccrualLine",
    "RebateProgram",
    "RebateProgramStatusChange",
    "RebateRun",
    "RebateSettlement",
    "RebateTier",
    "SettlementKind",
    "SourceKind",
    "TierMode",
]
