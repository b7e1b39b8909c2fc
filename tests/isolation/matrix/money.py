"""Rebates and market development funds."""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import Actor as A
from ..cases import get, pk, post
from ..rules import PARTNER_ANY, PARTNER_OWN, VENDOR, VENDOR_OBJ, redirect, vendor, vendor_obj
from ..world import png_upload

# rebates/views.py SIMULATION_ROLES; rebates/programs.py PROGRAM_ROLES; settling moves money
# (orders/ledger.py ledger_can_manage).
SIMULATE = (R.ADMIN, R.FINANCE)
PROGRAMS = (R.ADMIN, R.FINANCE, R.CHANNEL_MANAGER)
FINANCE = (R.ADMIN, R.FINANCE)
# mdf/requests.py can_decide_as_manager (the request waits for its channel manager);
# mdf/claims.py AUDIT_ROLES; mdf/roi.py ROI_ROLES.
MDF_MANAGER = (R.ADMIN, R.CHANNEL_MANAGER)
AUDIT = (R.ADMIN, R.FINANCE, R.MARKETING)
ROI = (R.ADMIN, R.MARKETING, R.FINANCE, R.CHANNEL_MANAGER)

CASES = [
    # --- rebates --------------------------------------------------------------------------------
    get("portal_rebates:progress", PARTNER_ANY),
    get("portal_rebates:detail", PARTNER_OWN, pk("accrual")),
    # "My statement of a period": every partner has its own for the same period.
    get(
        "portal_rebates:statement",
        PARTNER_ANY,
        lambda w: {"period_start": w["period_start"]},
        ids=False,
    ),
    get("rebates:list", VENDOR),
    get("rebates:programs", VENDOR),
    get("rebates:simulate", vendor(*SIMULATE), pk("program")),
    post("rebates:activate", vendor(*PROGRAMS), pk("program")),
    get("rebates:detail", VENDOR_OBJ, pk("accrual")),
    post(
        "rebates:settle", vendor_obj(*FINANCE), pk("accrual"), data=lambda w: {"method": "credit"}
    ),
    # --- MDF (vendor portal) --------------------------------------------------------------------
    get("mdf:requests", VENDOR),
    get("mdf:request_detail", VENDOR_OBJ, pk("mdf_request")),
    post("mdf:request_approve", vendor_obj(*MDF_MANAGER), pk("mdf_request")),
    post(
        "mdf:request_return",
        vendor_obj(*MDF_MANAGER),
        pk("mdf_request"),
        data=lambda w: {"reason": "补充预算明细"},
    ),
    post(
        "mdf:request_reject",
        vendor_obj(*MDF_MANAGER),
        pk("mdf_request"),
        data=lambda w: {"reason": "预算不足"},
    ),
    get("mdf:claims", VENDOR),
    get("mdf:claim_detail", VENDOR_OBJ, pk("mdf_claim")),
    post("mdf:claim_approve", vendor_obj(*AUDIT), pk("mdf_claim")),
    post("mdf:claim_reject", vendor_obj(*AUDIT), pk("mdf_claim"), data=lambda w: {"reason": "x"}),
    post(
        "mdf:claim_settle",
        vendor_obj(*FINANCE),
        pk("mdf_claim"),
        data=lambda w: {"settled_as": "wallet"},
    ),
    get("mdf:claim_pdf", VENDOR_OBJ, pk("mdf_claim")),
    get("mdf:evidence_download", VENDOR_OBJ, pk("mdf_evidence")),
    get("mdf:funds", VENDOR),
    get("mdf:fund_detail", VENDOR, pk("fund")),
    get("mdf_roi:report", vendor(*ROI)),
    get("mdf_roi:export", vendor(*ROI)),
    # --- MDF (partner portal) -------------------------------------------------------------------
    get("portal_mdf:home", PARTNER_ANY),
    get("portal_mdf:request_new", PARTNER_ANY),
    get("portal_mdf:request_detail", PARTNER_OWN, pk("mdf_request")),
    # A submitted request is no longer edited: P1's users are sent to its page.
    get(
        "portal_mdf:request_edit",
        PARTNER_OWN,
        pk("mdf_request"),
        overrides={
            A.OWNER: redirect("/portal/mdf/requests/{mdf_request}/"),
            A.P1_USER: redirect("/portal/mdf/requests/{mdf_request}/"),
        },
    ),
    post("portal_mdf:request_submit", PARTNER_OWN, pk("mdf_request")),
    post(
        "portal_mdf:request_cancel", PARTNER_OWN, pk("mdf_request"), data=lambda w: {"reason": "x"}
    ),
    post(
        "portal_mdf:evidence_add",
        PARTNER_OWN,
        pk("mdf_claimed_request"),
        data=lambda w: {"kind": "photo", "file": png_upload(), "note": "现场"},
    ),
    # Claimed already: P1's users are sent to the request.
    get(
        "portal_mdf:claim_new",
        PARTNER_OWN,
        pk("mdf_claimed_request"),
        overrides={
            A.OWNER: redirect("/portal/mdf/requests/{mdf_claimed_request}/"),
            A.P1_USER: redirect("/portal/mdf/requests/{mdf_claimed_request}/"),
        },
    ),
    get("portal_mdf:evidence_download", PARTNER_OWN, pk("mdf_evidence")),
    get("portal_mdf:claim_detail", PARTNER_OWN, pk("mdf_claim")),
    get("portal_mdf:claim_pdf", PARTNER_OWN, pk("mdf_claim")),
]
