"""Deal registration, co-selling and lead distribution."""

from __future__ import annotations

from typing import Any

from prm.accounts.roles import Role as R

from ..actors import Actor as A
from ..cases import args, get, pk, post
from ..rules import DONE, PARTNER_ANY, PARTNER_OWN, VENDOR, VENDOR_OBJ, redirect, vendor, vendor_obj

# deal_registration/registrations.py deal_can_decide = partner_can_manage: vendor admins and
# the partner's own channel manager.
DECIDE = (R.ADMIN, R.CHANNEL_MANAGER)
# deal_can_cosell: the deciders and the vendor people on the deal team. The demo put its sales
# rep on P1's deal team.
COSELL_TEAM = {A.SALES: DONE}
# deal_registration/leads.py LEAD_ROLES.
LEADS = (R.ADMIN, R.CHANNEL_MANAGER, R.SALES, R.MARKETING)


def _activity(world: object) -> dict[str, str]:
    return {"kind": "note", "occurred_on": "2026-01-05", "body": "拜访客户 / visited"}


def _stage(world: object) -> dict[str, str]:
    return {
        "stage": "proposal",
        "estimated_amount": "120000.00",
        "expected_close_date": "2031-06-30",
    }


def _rival(world: Any) -> list[str]:
    """The partner whose registration collides with P1's, and its number."""
    return [world["rival_partner"], world["rival_number"]]


CASES = [
    # --- vendor portal --------------------------------------------------------------------------
    get("deals:list", VENDOR, query="status=", shows=lambda w: w["deal_number"]),
    get("deals:pipeline", VENDOR),
    get("deals:detail", VENDOR_OBJ, pk("deal")),
    post("deals:approve", vendor_obj(*DECIDE), pk("deal")),
    post("deals:reject", vendor_obj(*DECIDE), pk("deal"), data=lambda w: {"reason": "重复"}),
    post("deals:request_info", vendor_obj(*DECIDE), pk("deal"), data=lambda w: {"reason": "补充"}),
    post(
        "deals:close",
        vendor_obj(*DECIDE),
        pk("deal"),
        data=lambda w: {"outcome": "lost", "reason": "客户预算取消"},
    ),
    post("deals:orders", vendor_obj(*DECIDE), pk("deal"), data=lambda w: {"orders": w["order"]}),
    post(
        "deals:team_add",
        vendor_obj(*DECIDE),
        pk("deal"),
        data=lambda w: {"user": w["vendor_finance"], "role": "presales"},
    ),
    post(
        "deals:team_remove",
        vendor_obj(*DECIDE),
        args(pk="deal", member_pk="deal_member"),
    ),
    post("deals:activity", vendor_obj(*DECIDE), pk("deal"), data=_activity, overrides=COSELL_TEAM),
    post("deals:stage", vendor_obj(*DECIDE), pk("deal"), data=_stage, overrides=COSELL_TEAM),
    get("deals:activity_file", VENDOR_OBJ, args(pk="deal", activity_pk="deal_activity")),
    post(
        "deals:extension_decide",
        vendor_obj(*DECIDE),
        args(pk="deal", extension_pk="deal_extension"),
        data=lambda w: {"decision": "approve", "reason": "同意"},
    ),
    get("deals:evidence", VENDOR_OBJ, args(pk="deal", conflict_pk="deal_conflict")),
    # --- leads (vendor portal) ------------------------------------------------------------------
    get("leads:list", VENDOR, shows=lambda w: w["lead_number"]),
    get("leads:new", vendor(*LEADS)),
    get("leads:detail", VENDOR_OBJ, pk("lead")),
    post("leads:route", vendor_obj(*LEADS), pk("lead")),
    post("leads:offer", vendor_obj(*LEADS), pk("lead"), data=lambda w: {"partner": w["p1"]}),
    post(
        "leads:close",
        vendor_obj(*LEADS),
        pk("lead"),
        data=lambda w: {"outcome": "closed", "reason": "x"},
    ),
    # --- partner portal -------------------------------------------------------------------------
    get("portal_deals:list", PARTNER_ANY, shows=lambda w: w["deal_number"]),
    get("portal_deals:new", PARTNER_ANY),
    # The live check for the customer another partner registered: told that it collides, never
    # with whom.
    get("portal_deals:check", PARTNER_ANY, query="customer_name={rival_customer}", hides=_rival),
    get("portal_deals:detail", PARTNER_OWN, pk("deal"), hides=_rival),
    # An approved registration is no longer edited: its owner is sent to its page.
    get(
        "portal_deals:edit",
        PARTNER_OWN,
        pk("deal"),
        overrides={
            A.OWNER: redirect("/portal/deals/{deal}/"),
            A.P1_USER: redirect("/portal/deals/{deal}/"),
        },
    ),
    get("portal_deals:check_existing", PARTNER_OWN, pk("deal"), query="customer_name=华东客户"),
    post("portal_deals:submit", PARTNER_OWN, pk("deal")),
    post(
        "portal_deals:close",
        PARTNER_OWN,
        pk("deal"),
        data=lambda w: {"outcome": "lost", "reason": "客户预算取消"},
    ),
    post("portal_deals:orders", PARTNER_OWN, pk("deal"), data=lambda w: {"orders": w["order"]}),
    post(
        "portal_deals:extension",
        PARTNER_OWN,
        pk("deal"),
        data=lambda w: {"days": "30", "reason": "客户评审延期"},
    ),
    post("portal_deals:activity", PARTNER_OWN, pk("deal"), data=_activity),
    post("portal_deals:stage", PARTNER_OWN, pk("deal"), data=_stage),
    get("portal_deals:activity_file", PARTNER_OWN, args(pk="deal", activity_pk="deal_activity")),
    # --- leads (partner portal) -----------------------------------------------------------------
    get("portal_leads:list", PARTNER_ANY, shows=lambda w: w["lead_number"]),
    get("portal_leads:detail", PARTNER_OWN, pk("lead")),
    post("portal_leads:accept", PARTNER_OWN, pk("lead")),
    post("portal_leads:decline", PARTNER_OWN, pk("lead"), data=lambda w: {"reason": "没有产能"}),
]
