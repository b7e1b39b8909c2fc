"""Ordering: the mall and orders, wallet and finance, returns, statements, stock, sell-through,
ERP invoices and sync."""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import Actor as A
from ..cases import get, pk, post
from ..rules import (
    NOT_FOUND,
    PARTNER_ANY,
    PARTNER_OWN,
    SIGNED_IN,
    VENDOR,
    VENDOR_OBJ,
    partner,
    redirect,
    vendor,
    vendor_obj,
)
from ..world import pdf_upload

# orders/workflow.py: the review step's role (the order desk for the demo's small orders) or an
# admin approves and rejects; SHIPPING_ROLES ship and cancel.
REVIEW = (R.ADMIN, R.ORDER_DESK)
SHIPPING = (R.ADMIN, R.ORDER_DESK)
# orders/ledger.py: LEDGER_VIEW_ROLES read finance pages, FINANCE_ROLES move money.
LEDGER_VIEW = (R.ADMIN, R.FINANCE, R.CHANNEL_MANAGER)
FINANCE = (R.ADMIN, R.FINANCE)
# orders/returns.py RETURN_DESK_ROLES; orders/inventory.py MANAGE_ROLES.
RETURN_DESK = (R.ADMIN, R.ORDER_DESK)
STOCK_MANAGERS = (R.ADMIN, R.ORDER_DESK)
CATALOG = "/portal/orders/catalog/"

CASES = [
    # --- the mall (partner portal) --------------------------------------------------------------
    get("portal_orders:list", PARTNER_ANY, shows=lambda w: w["order_number"]),
    get("portal_orders:catalog", PARTNER_ANY),
    # A product of a line P1 (and P2) sells: every signed-in user of this vendor sees its picture.
    get(
        "portal_orders:product_image",
        SIGNED_IN,
        pk("product"),
        overrides={A.ALPHA_HOST: NOT_FOUND},
    ),
    # A product of a line P1 is not authorized for (P2 is): P1's users get 404.
    get(
        "portal_orders:product_image",
        SIGNED_IN,
        pk("product_unlisted"),
        overrides={A.ALPHA_HOST: NOT_FOUND, A.OWNER: NOT_FOUND, A.P1_USER: NOT_FOUND},
        note="line not authorized for P1",
    ),
    get("portal_orders:cart", PARTNER_ANY),
    post(
        "portal_orders:cart_add",
        PARTNER_ANY,
        data=lambda w: {"product": w["product"], "quantity": "1"},
    ),
    post(
        "portal_orders:cart_quick", PARTNER_ANY, data=lambda w: {"sku": w["sku"], "quantity": "1"}
    ),
    post("portal_orders:cart_update", PARTNER_ANY),
    # Only P1's admin has something in the cart; an empty cart sends to the catalog.
    get(
        "portal_orders:checkout",
        PARTNER_ANY,
        overrides={A.P1_USER: redirect(CATALOG), A.P2: redirect(CATALOG)},
    ),
    get("portal_orders:detail", PARTNER_OWN, pk("order")),
    post("portal_orders:cancel", PARTNER_OWN, pk("order"), data=lambda w: {"reason": "不要了"}),
    post("portal_orders:receive", PARTNER_OWN, pk("order")),
    post("portal_orders:reorder", PARTNER_OWN, pk("order")),
    # --- orders (vendor portal) -----------------------------------------------------------------
    get("orders:list", VENDOR, shows=lambda w: w["order_number"]),
    get("orders:price_explain", VENDOR),
    get("orders:detail", VENDOR_OBJ, pk("order")),
    post("orders:approve", vendor_obj(*REVIEW), pk("order")),
    post("orders:reject", vendor_obj(*REVIEW), pk("order"), data=lambda w: {"reason": "价格有误"}),
    post(
        "orders:ship",
        vendor_obj(*SHIPPING),
        pk("order"),
        data=lambda w: {"warehouse": w["warehouse"], f"ship-{w['order_line']}": "1"},
    ),
    post("orders:cancel", vendor_obj(*SHIPPING), pk("order"), data=lambda w: {"reason": "缺货"}),
    # --- wallet and finance ---------------------------------------------------------------------
    get("portal_ledger:wallet", PARTNER_ANY),
    get("portal_ledger:top_up_proof", PARTNER_OWN, pk("top_up")),
    get("ledger:top_ups", vendor(*LEDGER_VIEW)),
    get("ledger:top_up", vendor_obj(*LEDGER_VIEW), pk("top_up")),
    get("ledger:top_up_proof", vendor_obj(*LEDGER_VIEW), pk("top_up")),
    post("ledger:top_up_approve", vendor_obj(*FINANCE), pk("top_up")),
    post(
        "ledger:top_up_reject",
        vendor_obj(*FINANCE),
        pk("top_up"),
        data=lambda w: {"reason": "未到账"},
    ),
    get("ledger:payment_new", vendor(*FINANCE)),
    get("ledger:partner_ledger", vendor_obj(*LEDGER_VIEW), pk("p1", "partner_pk")),
    # --- returns --------------------------------------------------------------------------------
    get("portal_returns:list", PARTNER_ANY),
    get("portal_returns:new", PARTNER_OWN, pk("order_shipped", "order_pk")),
    get("portal_returns:detail", PARTNER_OWN, pk("return")),
    get("returns:list", VENDOR),
    get("returns:detail", VENDOR_OBJ, pk("return")),
    post("returns:approve", vendor_obj(*RETURN_DESK), pk("return")),
    post("returns:reject", vendor_obj(*RETURN_DESK), pk("return"), data=lambda w: {"reason": "x"}),
    post(
        "returns:receive",
        vendor_obj(*RETURN_DESK),
        pk("return"),
        data=lambda w: {"warehouse": w["warehouse"]},
    ),
    # --- statements -----------------------------------------------------------------------------
    get("portal_statements:list", PARTNER_ANY),
    get("portal_statements:detail", PARTNER_OWN, pk("statement")),
    # statement_is_responder: the partner's own admin answers.
    post("portal_statements:confirm", partner(own=True, admin_only=True), pk("statement")),
    post(
        "portal_statements:dispute",
        partner(own=True, admin_only=True),
        pk("statement"),
        data=lambda w: {"comment": "金额不符"},
    ),
    get("portal_statements:pdf", PARTNER_OWN, pk("statement")),
    get("portal_statements:xlsx", PARTNER_OWN, pk("statement")),
    get("statements:list", vendor(*LEDGER_VIEW)),
    post("statements:generate", vendor(*FINANCE)),
    get("statements:detail", vendor_obj(*LEDGER_VIEW), pk("statement")),
    get("statements:pdf", vendor_obj(*LEDGER_VIEW), pk("statement")),
    get("statements:xlsx", vendor_obj(*LEDGER_VIEW), pk("statement")),
    # --- stock (the vendor's own: every vendor role reads it) -----------------------------------
    get("inventory:list", VENDOR),
    get("inventory:receive", vendor(*STOCK_MANAGERS)),
    get("inventory:detail", VENDOR, pk("stock")),
    get("inventory:count", vendor(*STOCK_MANAGERS), pk("stock")),
    # --- sell-through ---------------------------------------------------------------------------
    get("portal_sellthrough:sales", PARTNER_ANY),
    post(
        "portal_sellthrough:import",
        PARTNER_ANY,
        data=lambda w: {"file": pdf_upload("sales.pdf")},
    ),
    get("portal_sellthrough:stock", PARTNER_ANY),
    get("sellthrough:overview", VENDOR),
    get("sellthrough:diversions", VENDOR),
    # --- ERP ------------------------------------------------------------------------------------
    get("portal_invoices:list", PARTNER_ANY),
    get("erp:log", vendor(R.ADMIN)),
    post("erp:run", vendor(R.ADMIN), pk("erp")),
]
