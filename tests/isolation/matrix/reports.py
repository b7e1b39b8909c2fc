"""Dashboards, scoreboards, forecasts, printable reports and subscriptions."""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import SIGNED_OUT, VENDOR_ACTORS
from ..actors import Actor as A
from ..cases import args, fixed, get, pk, post
from ..rules import (
    DONE,
    LOGIN,
    NOT_FOUND,
    OK,
    PARTNER_ANY,
    PARTNER_OWN,
    SIGNED_IN,
    VENDOR,
    VENDOR_OBJ,
    Custom,
    Expect,
    all_of,
    redirect,
    vendor,
    vendor_obj,
)

# reports/forecast_services.py forecast_can_decide: an admin or the partner's channel manager;
# reports/target_import.py targets_can_import.
DECIDE = (R.ADMIN, R.CHANNEL_MANAGER)
TARGETS = (R.ADMIN, R.CHANNEL_MANAGER)
# orders/ledger.py LEDGER_VIEW_ROLES: who reads partners' money row by row.
LEDGER_VIEW = (R.ADMIN, R.FINANCE, R.CHANNEL_MANAGER)
PARTNERS = (A.OWNER, A.P1_USER, A.P2)
SIGNED_IN_HERE = (*PARTNERS, *VENDOR_ACTORS)


def _own_subscription(allowed: Expect) -> Custom:
    """A subscription is its owner's (P1's admin): anyone else signed in gets 404."""
    return Custom(
        "OWNER_ONLY",
        {
            **all_of(SIGNED_OUT, LOGIN),
            **all_of((*SIGNED_IN_HERE, A.ALPHA_HOST), NOT_FOUND),
            A.OWNER: allowed,
        },
    )


CASES = [
    # --- landing pages --------------------------------------------------------------------------
    get(
        "home",
        Custom(
            "HOME",
            {
                **all_of(SIGNED_OUT, redirect("/accounts/login/")),
                **all_of(PARTNERS, redirect("/portal/")),
                **all_of(VENDOR_ACTORS, OK),
            },
        ),
    ),
    get("portal_home", PARTNER_ANY),
    # --- the cockpit ----------------------------------------------------------------------------
    get("reports:cockpit", VENDOR),
    # The period's orders, P1's among them: not for the manager who does not manage P1.
    get(
        "reports:drill",
        VENDOR,
        fixed(what="orders"),
        ids=False,
        query="period=year",
        shows=lambda w: w["p1_name"],
    ),
    get(
        "reports:drill",
        vendor(*LEDGER_VIEW),
        fixed(what="payments"),
        ids=False,
        note="payments",
    ),
    # --- scoreboards ----------------------------------------------------------------------------
    get("portal_scoreboard:show", PARTNER_ANY),
    # Vendor staff who see the partner; for partner users another partner's page does not exist.
    get(
        "scoreboard:partner",
        VENDOR_OBJ,
        pk("p1", "partner_id"),
        overrides=all_of(PARTNERS, NOT_FOUND),
    ),
    get("scoreboard:targets_import", vendor(*TARGETS)),
    # --- printable reports: partners print only their own scoreboard ---------------------------
    get(
        "report_documents:download",
        VENDOR,
        fixed(kind="cockpit"),
        ids=False,
        note="cockpit",
    ),
    get(
        "report_documents:download",
        VENDOR_OBJ,
        fixed(kind="scoreboard"),
        ids=False,
        query="partner={p1}",
        overrides=all_of(PARTNERS, OK),
        note="scoreboard of P1",
    ),
    get(
        "report_documents:download",
        VENDOR,
        fixed(kind="forecast"),
        ids=False,
        note="forecast",
    ),
    # --- forecasts ------------------------------------------------------------------------------
    get("portal_forecasts:home", PARTNER_ANY),
    post("portal_forecasts:open", PARTNER_ANY),
    get("portal_forecasts:detail", PARTNER_OWN, pk("forecast")),
    post("portal_forecasts:save", PARTNER_OWN, pk("forecast")),
    get("forecasts:cycles", VENDOR),
    get(
        "forecasts:cycle",
        VENDOR,
        lambda w: {"year": w["cycle_year"], "month": w["cycle_month"]},
        ids=False,
    ),
    get("forecasts:rollup", VENDOR),
    get("forecasts:accuracy", VENDOR),
    get("forecasts:detail", VENDOR_OBJ, pk("forecast")),
    post(
        "forecasts:adjust",
        vendor_obj(*DECIDE),
        args(pk="forecast", line_pk="forecast_line"),
        data=lambda w: {"adjusted_amount": "1000.00", "note": "渠道经理调整"},
    ),
    post("forecasts:return", vendor_obj(*DECIDE), pk("forecast"), data=lambda w: {"reason": "x"}),
    post("forecasts:commit", vendor_obj(*DECIDE), pk("forecast")),
    # --- report subscriptions: one's own only ---------------------------------------------------
    get("report_subscriptions:list", SIGNED_IN),
    get("report_subscriptions:add", SIGNED_IN),
    get("report_subscriptions:edit", _own_subscription(OK), pk("subscription")),
    post("report_subscriptions:pause", _own_subscription(DONE), pk("subscription")),
    post("report_subscriptions:resume", _own_subscription(DONE), pk("subscription")),
    post("report_subscriptions:delete", _own_subscription(DONE), pk("subscription")),
]
