"""Partners: the directory and profile, recruitment, agreements, tier program, onboarding."""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import Actor as A
from ..cases import get, pk, post
from ..rules import (
    NOT_FOUND,
    PARTNER_ANY,
    PARTNER_OWN,
    PUBLIC,
    VENDOR,
    VENDOR_OBJ,
    partner,
    vendor,
    vendor_obj,
)
from ..world import pdf_upload

# partners/selectors.py partner_can_manage: vendor admins and the partner's channel manager;
# partners/services.py partner_editable_fields adds finance (credit fields).
MANAGE = (R.ADMIN, R.CHANNEL_MANAGER)
EDIT = (R.ADMIN, R.FINANCE, R.CHANNEL_MANAGER)
# partners/recruitment/selectors.py application_can_review (no approvers named in the demo).
REVIEW = (R.ADMIN, R.CHANNEL_MANAGER)

CASES = [
    # --- the partner directory (vendor portal) --------------------------------------------------
    get("partners:list", VENDOR, shows=lambda w: w["p1_name"]),
    get("partners:export", VENDOR, shows=lambda w: w["p1_name"]),
    get("partners:search", VENDOR, query="q=华东", shows=lambda w: w["p1_name"]),
    get("partners:import", vendor(*MANAGE)),
    get("partners:detail", VENDOR_OBJ, pk("p1")),
    post(
        "partners:status",
        vendor_obj(*MANAGE),
        pk("p1"),
        data=lambda w: {"status": "suspended", "reason": "逾期"},
    ),
    get("partners:edit", vendor_obj(*EDIT), pk("p1")),
    post(
        "partners:qualification_upload",
        vendor_obj(*MANAGE),
        pk("p1"),
        data=lambda w: {"kind": "business_license", "document": pdf_upload()},
    ),
    get("partners:qualification", VENDOR_OBJ, pk("qualification")),
    # --- the partner's own company (partner portal) ---------------------------------------------
    get("portal_partners:company", PARTNER_ANY),
    post(
        "portal_partners:qualification_upload",
        partner(admin_only=True),
        data=lambda w: {"kind": "business_license", "document": pdf_upload()},
    ),
    get("portal_partners:qualification", PARTNER_OWN, pk("qualification")),
    get("portal_partners:users", PARTNER_ANY),
    post(
        "portal_partners:user_update",
        partner(own=True, admin_only=True),
        pk("p1_member"),
        data=lambda w: {"role": "partner_user", "is_active": "on"},
    ),
    # --- recruitment: applications are nobody's partner yet, every vendor role reads them -------
    get("join:apply", PUBLIC),
    get("join:thanks", PUBLIC),
    get("recruitment:list", VENDOR),
    get("recruitment:detail", VENDOR, pk("application")),
    post("recruitment:start_review", vendor(*REVIEW), pk("application")),
    post("recruitment:approve", vendor(*REVIEW), pk("application")),
    post("recruitment:reject", vendor(*REVIEW), pk("application"), data=lambda w: {"reason": "x"}),
    get("recruitment:document", VENDOR, pk("application_document")),
    # --- agreements -----------------------------------------------------------------------------
    get("agreements:list", VENDOR),
    get("agreements:new", vendor_obj(*MANAGE), pk("p1", "partner_pk")),
    get("agreements:detail", VENDOR_OBJ, pk("agreement")),
    post("agreements:issue", vendor_obj(*MANAGE), pk("agreement_draft")),
    post("agreements:void", vendor_obj(*MANAGE), pk("agreement"), data=lambda w: {"reason": "x"}),
    post(
        "agreements:renew",
        vendor_obj(*MANAGE),
        pk("agreement"),
        data=lambda w: {"term_start": "2031-01-01", "term_end": "2031-12-31"},
    ),
    get("agreements:pdf", VENDOR_OBJ, pk("agreement")),
    get("agreements:certificate", VENDOR_OBJ, pk("agreement")),
    get("portal_agreements:list", PARTNER_ANY),
    get("portal_agreements:detail", PARTNER_OWN, pk("agreement")),
    # A draft is the vendor's until issued: not even P1 sees it.
    get(
        "portal_agreements:detail",
        PARTNER_OWN,
        pk("agreement_draft"),
        overrides={A.OWNER: NOT_FOUND, A.P1_USER: NOT_FOUND},
        note="draft",
    ),
    get("portal_agreements:pdf", PARTNER_OWN, pk("agreement")),
    get("portal_agreements:certificate", PARTNER_OWN, pk("agreement")),
    # --- the tier program -----------------------------------------------------------------------
    get("programs:criteria", VENDOR),
    get("programs:proposals", VENDOR),
    get("programs:proposal", VENDOR_OBJ, pk("proposal")),
    post(
        "programs:decide",
        vendor_obj(*MANAGE),
        pk("proposal"),
        data=lambda w: {"decision": "reject", "reason": "再观察一季"},
    ),
    get("programs:runs", VENDOR),
    post("programs:run_now", vendor(R.ADMIN)),
    get("portal_programs:scorecard", PARTNER_ANY),
    # --- onboarding -----------------------------------------------------------------------------
    get("onboarding:list", VENDOR),
    get("onboarding:partner", VENDOR_OBJ, pk("p1")),
    post("onboarding:start", vendor_obj(*MANAGE), pk("p1")),
    post(
        "onboarding:step",
        vendor_obj(*MANAGE),
        pk("onboarding_step"),
        data=lambda w: {"status": "done", "note": "资料已收"},
    ),
    get("portal_onboarding:checklist", PARTNER_ANY),
]
