"""What every operation of the REST API answers to each caller: one row per (URL name, method).

Every caller in `REFUSED` is refused every operation the same way (see `test_api_matrix`); the
rows below state what the callers with a valid key of the right scope get:

* `admin`: vendor alpha's admin, every scope;
* `cm1`: the channel manager of P1 (not of P2), every scope;
* `p1`: a partner admin of P1, every scope;
* `p2`: a partner admin of P2, for the writes only P2 itself may make.

Detail routes and actions aim at P2's row, so `p1` and `cm1` must get 404 there; lists name the
exact ids each caller gets. `test_completeness` fails when a route has no row here, or a row
names a route (or a method) that no longer exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .world import World

Ids = Callable[[World], list[int]]


@dataclass(frozen=True)
class Expect:
    status: int
    ids: Ids | None = None  # lists: exactly these ids (any order)
    owner: Callable[[World], int] | None = None  # creates: the partner the new row belongs to


@dataclass(frozen=True)
class Case:
    name: str  # the URL name
    method: str
    resource: str  # the scope's resource
    path: Callable[[World], str]
    expect: Mapping[str, Expect]
    body: Callable[[World], dict[str, Any]] | None = None
    id_key: str = "id"  # lists whose rows are products name them by "product"
    # Run as the allowed caller's setup, inside the same rolled-back savepoint.
    prepare: Callable[[World], None] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


API = "/api/v1"
OK, CREATED, NOT_FOUND, REFUSED_SCOPE, INVALID = 200, 201, 404, 403, 400


def _p2(basename: str) -> Callable[[World], str]:
    plural = {"stock": "stock"}.get(basename, f"{basename}s")
    return lambda w: f"{API}/{plural}/{w.p2.rows[basename]}/"


def _ids(*picks: Callable[[World], list[int]]) -> Ids:
    return lambda w: sorted(pk for pick in picks for pk in pick(w))


def _rows(side: str, basename: str) -> Ids:
    return lambda w: [getattr(w, side).rows[basename]]


def _shared(basename: str) -> Ids:
    return lambda w: list(w.shared[basename])


def _owned_pair(basename: str) -> tuple[Ids, Ids]:
    return _rows("p1", basename), _rows("p2", basename)


def _owned_list(basename: str) -> dict[str, Expect]:
    """A list of rows each owned by one dealer: the admin sees both, P1's side only P1's."""
    both = _ids(*_owned_pair(basename))
    mine = _ids(_rows("p1", basename))
    return {"admin": Expect(OK, both), "cm1": Expect(OK, mine), "p1": Expect(OK, mine)}


def _owned_detail() -> dict[str, Expect]:
    return {"admin": Expect(OK), "cm1": Expect(NOT_FOUND), "p1": Expect(NOT_FOUND)}


def _owned(basename: str, resource: str) -> list[Case]:
    plural = {"stock": "stock"}.get(basename, f"{basename}s")
    return [
        Case(
            f"{basename}-list",
            "GET",
            resource,
            lambda w: f"{API}/{plural}/",
            _owned_list(basename),
        ),
        Case(f"{basename}-detail", "GET", resource, _p2(basename), _owned_detail()),
    ]


def _p2_order_action(action: str) -> Callable[[World], str]:
    return lambda w: f"{API}/orders/{w.p2.rows['order']}/{action}/"


def _p2_deal_action(action: str) -> Callable[[World], str]:
    return lambda w: f"{API}/deals/{w.p2.rows['deal']}/{action}/"


def _approve_p2_order(w: World) -> None:
    from orders.models import Order
    from orders.workflow import order_approve

    order_approve(order=Order.objects.get(pk=w.p2.rows["order"]), actor=w.admin, note="")


_REASON = {"reason": "隔离测试"}


def _on_p2(
    name: str,
    resource: str,
    path: Callable[[World], str],
    allowed: str,
    status: int,
    body: Callable[[World], dict[str, Any]],
    prepare: Callable[[World], None] | None = None,
) -> Case:
    """An action on P2's row: `allowed` may take it; P1's key and CM1's key do not find the row."""
    expect = {allowed: Expect(status), "cm1": Expect(NOT_FOUND), "p1": Expect(NOT_FOUND)}
    return Case(name, "POST", resource, path, expect, body=body, prepare=prepare)


CASES: list[Case] = [
    # --- partners, products, prices ---------------------------------------------------------------
    *_owned("partner", "partners"),
    Case(
        "product-list",
        "GET",
        "products",
        lambda w: f"{API}/products/",
        {
            "admin": Expect(OK, _shared("product")),
            "cm1": Expect(OK, _shared("product")),  # the catalog is the vendor's, not a dealer's
            "p1": Expect(OK, lambda w: [w.product_a]),  # its mall: product line L1 only
        },
    ),
    Case(
        "product-detail",
        "GET",
        "products",
        lambda w: f"{API}/products/{w.p2_product_b}/",
        {"admin": Expect(OK), "cm1": Expect(OK), "p1": Expect(NOT_FOUND)},
    ),
    Case(
        "price-list-list",
        "GET",
        "products",
        lambda w: f"{API}/price-lists/",
        {
            "admin": Expect(OK, _ids(_shared("price-list"), *_owned_pair("price-list"))),
            "cm1": Expect(OK, _ids(_shared("price-list"), _rows("p1", "price-list"))),
            "p1": Expect(OK, lambda w: []),  # what others pay is not a dealer's business
        },
    ),
    Case("price-list-detail", "GET", "products", _p2("price-list"), _owned_detail()),
    Case(
        "price-list",
        "GET",
        "products",
        # P1's key names P2: it is answered with its own prices (checked in test_api_matrix).
        lambda w: f"{API}/prices/?partner={w.p2.partner.pk}",
        {
            "admin": Expect(OK, _shared("product")),
            "cm1": Expect(INVALID),  # "No partner N here.": the same as for no such partner
            "p1": Expect(OK, lambda w: [w.product_a]),
        },
        id_key="product",
    ),
    Case(
        "price-detail",
        "GET",
        "products",
        lambda w: f"{API}/prices/{w.p2_product_b}/?partner={w.p2.partner.pk}",
        {"admin": Expect(OK), "cm1": Expect(INVALID), "p1": Expect(NOT_FOUND)},
    ),
    # --- stock ------------------------------------------------------------------------------------
    Case(
        "stock-list",
        "GET",
        "stock",
        lambda w: f"{API}/stock/",
        {
            "admin": Expect(OK, _shared("stock")),
            "cm1": Expect(OK, _shared("stock")),  # every vendor role reads the vendor's stock
            "p1": Expect(OK, lambda w: []),
        },
    ),
    Case(
        "stock-detail",
        "GET",
        "stock",
        lambda w: f"{API}/stock/{w.shared['stock'][-1]}/",
        {"admin": Expect(OK), "cm1": Expect(OK), "p1": Expect(NOT_FOUND)},
    ),
    Case(
        "stock-availability",
        "GET",
        "stock",
        lambda w: f"{API}/stock/availability/",
        {
            "admin": Expect(OK, _shared("product")),
            "cm1": Expect(OK, _shared("product")),
            "p1": Expect(OK, lambda w: [w.product_a]),
        },
        id_key="product",
    ),
    # --- orders -----------------------------------------------------------------------------------
    *_owned("order", "orders"),
    Case(
        "order-list",
        "POST",
        "orders",
        lambda w: f"{API}/orders/",
        {
            "admin": Expect(CREATED, owner=lambda w: w.p2.partner.pk),
            "cm1": Expect(INVALID),  # "No partner N here."
            # A partner's key orders for its own company whatever partner it names.
            "p1": Expect(CREATED, owner=lambda w: w.p1.partner.pk),
        },
        body=lambda w: {"partner": w.p2.partner.pk, "lines": [{"sku": "ISO-A", "quantity": 1}]},
    ),
    _on_p2("order-approve", "orders", _p2_order_action("approve"), "admin", OK, lambda w: {}),
    _on_p2("order-reject", "orders", _p2_order_action("reject"), "admin", OK, lambda w: _REASON),
    _on_p2("order-cancel", "orders", _p2_order_action("cancel"), "admin", OK, lambda w: _REASON),
    _on_p2(
        "order-ship",
        "orders",
        _p2_order_action("ship"),
        "admin",
        CREATED,
        lambda w: {
            "warehouse": "iso-wh",
            "carrier": "顺丰",
            "tracking_number": "SF-ISO-1",
            "quantities": {str(w.p2.rows["order-line"]): 1},
        },
        prepare=_approve_p2_order,
    ),
    # --- payments ---------------------------------------------------------------------------------
    *_owned("payment", "payments"),
    Case(
        "payment-list",
        "POST",
        "payments",
        lambda w: f"{API}/payments/",
        {
            "admin": Expect(CREATED, owner=lambda w: w.p2.partner.pk),
            "cm1": Expect(INVALID),  # "No such partner here."
            "p1": Expect(INVALID),
        },
        body=lambda w: {
            "partner": w.p2.partner.pk,
            "amount": "5.00",
            "method": "bank_transfer",
            "received_on": w.today,
        },
    ),
    # --- deal registrations -----------------------------------------------------------------------
    # P2's draft registration is P2's alone: no vendor key lists it, the admin's included.
    *_owned("deal", "deals"),
    Case(
        "deal-list",
        "POST",
        "deals",
        lambda w: f"{API}/deals/",
        {
            "admin": Expect(REFUSED_SCOPE),  # the partner registers; the vendor decides
            "cm1": Expect(REFUSED_SCOPE),
            "p1": Expect(CREATED, owner=lambda w: w.p1.partner.pk),
        },
        body=lambda w: w.deal_body,
    ),
    Case(
        "deal-check",
        "POST",
        "deals",
        lambda w: f"{API}/deals/check/",
        # Who is named is checked in test_api_matrix: P1 and CM1 learn nothing of P2.
        {"admin": Expect(OK), "cm1": Expect(OK), "p1": Expect(OK)},
        body=lambda w: {"customer_name": w.p2_customer, "credit_code": w.p2_credit_code},
    ),
    # Only P2 itself submits its draft.
    _on_p2(
        "deal-submit",
        "deals",
        lambda w: f"{API}/deals/{w.p2_draft_deal}/submit/",
        "p2",
        OK,
        lambda w: {},
    ),
    _on_p2("deal-approve", "deals", _p2_deal_action("approve"), "admin", OK, lambda w: {}),
    _on_p2("deal-reject", "deals", _p2_deal_action("reject"), "admin", OK, lambda w: _REASON),
    _on_p2(
        "deal-request-info",
        "deals",
        _p2_deal_action("request-info"),
        "admin",
        OK,
        lambda w: _REASON,
    ),
    # --- rebates ----------------------------------------------------------------------------------
    Case(
        "rebate-program-list",
        "GET",
        "rebates",
        lambda w: f"{API}/rebate-programs/",
        {
            "admin": Expect(OK, _ids(*_owned_pair("rebate-program"))),
            "cm1": Expect(OK, _ids(*_owned_pair("rebate-program"))),  # programs are the vendor's
            "p1": Expect(OK, _rows("p1", "rebate-program")),  # the ones it takes part in
        },
    ),
    Case(
        "rebate-program-detail",
        "GET",
        "rebates",
        _p2("rebate-program"),
        {"admin": Expect(OK), "cm1": Expect(OK), "p1": Expect(NOT_FOUND)},
    ),
    *_owned("rebate-accrual", "rebates"),
    # --- market development funds -----------------------------------------------------------------
    # Likewise P2's draft fund request.
    *_owned("mdf-request", "mdf"),
    Case(
        "mdf-request-list",
        "POST",
        "mdf",
        lambda w: f"{API}/mdf-requests/",
        {
            "admin": Expect(REFUSED_SCOPE),  # partners ask for funds; the vendor decides
            "cm1": Expect(REFUSED_SCOPE),
            "p1": Expect(CREATED, owner=lambda w: w.p1.partner.pk),
        },
        body=lambda w: w.fund_request_body,
    ),
    _on_p2(
        "mdf-request-submit",
        "mdf",
        lambda w: f"{API}/mdf-requests/{w.p2_draft_request}/submit/",
        "p2",
        OK,
        lambda w: {},
    ),
    *_owned("mdf-claim", "mdf"),
    # --- forecasts --------------------------------------------------------------------------------
    *_owned("forecast", "forecasts"),
]
