"""Deal registration's models, one module per area; import from `deal_registration.models`."""

from .accounts import AccountKind, NamedAccount
from .conflicts import ConflictSource, DealConflict, Verdict
from .cosell import ActivityKind, DealActivity, DealTeamMember, TeamRole
from .leads import (
    LEAD_TRANSITIONS,
    Lead,
    LeadOffer,
    LeadStatus,
    LeadStatusChange,
    OfferStatus,
)
from .protection import DealRules, ExtensionStatus, ProtectionExtension, TierDealRules
from .registrations import (
    CLAIM_STATUSES,
    DEAL_TRANSITIONS,
    DealRegistration,
    DealRegistrationStatusChange,
    DealStage,
    DealStatus,
    Industry,
)

__all__ = [
    "CLAIM_STATUSES",
    "DEAL_TRANSITIONS",
    "LEAD_TRANSITIONS",
    "AccountKind",
    "ActivityKind",
    "ConflictSource",
    "DealActivity",
    "DealConflict",
    "DealRegistration",
    "DealRegistrationStatusChange",
    "DealRules",
    "DealStage",
    "DealStatus",
    "DealTeamMember",
    "ExtensionStatus",
    "Industry",
    "Lead",
    "LeadOffer",
    "LeadStatus",
    "LeadStatusChange",
    "NamedAccount",
    "OfferStatus",
    "ProtectionExtension",
    "TeamRole",
    "TierDealRules",
    "Verdict",
]
