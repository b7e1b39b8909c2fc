"""Journey 1: a dealer orders from the mall paying with its wallet and credit; the order desk
approves and ships; the order reaches the cockpit (refreshed by the worker); the dealer confirms
receipt and sees exactly what its wallet and credit hold now."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .journey import Journey, amount, yuan, zh

# Only for the test database to be set up: the journey's data is the demo vendor, committed.
pytestmark = pytest.mark.django_db

DEALER = "buyer@xihu.example.cn"  # 杭州西湖安防设备, gold tier: networking and security lines
ORDER_DESK = "liu.yang@demo.localhost"
ADMIN = "admin@demo.localhost"
# Gold tier prices (8 % off list, to the yuan): 1,450.00 → 1,334.00 and 1,280.00 → 1,178.00.
LINES = [("SW-16P", 50, Decimal("1334.00")), ("NVR-8", 20, Decimal("1178.00"))]
SUBTOTAL = Decimal("90260.00")  # 66,700.00 + 23,560.00
PROMOTION = Decimal("2000.00")  # 满额立减: 2,000.00 off from 50,000.00
TOTAL = SUBTOTAL - PROMOTION


@dataclass(frozen=True)
class Money:
    prepaid: Decimal
    rebate: Decimal
    credit_limit: Decimal
    credit: Decimal
    credit_available: Decimal


def balances(page: Page) -> Money:
    def read(kind: str) -> Decimal:
        return amount(page.locator(f'[data-balance="{kind}"]').inner_text())

    return Money(
        *(read(k) for k in ("prepaid", "rebate", "credit_limit", "credit", "credit_available"))
    )


def month_row(page: Page) -> tuple[int, Decimal]:
    """This month's orders and ordered amount in the cockpit's monthly table."""
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    cells = page.locator("#table-trend tbody tr", has=page.get_by_role("link", name=month))
    values = cells.locator("td").all_inner_texts()
    return int(values[1].replace(",", "")), amount(values[2])


def test_dealer_orders_with_wallet_and_credit_desk_ships_dealer_receives(journey: Journey):
    dealer = journey.sign_in(DEALER)
    journey.follow(dealer, "/portal/wallet/")
    before = balances(dealer)
    # The order takes the whole wallet and the rest on credit.
    assert before.prepaid < TOTAL <= before.prepaid + before.credit_available

    admin = journey.sign_in(ADMIN)
    journey.follow(admin, "/reports/cockpit/")
    orders_before, ordered_before = month_row(admin)

    # Each product found in the catalog by its SKU, and added from its card.
    journey.follow(dealer, "/portal/orders/catalog/")
    for sku, quantity, price in LINES:
        dealer.locator("input[name=q]").fill(sku)
        journey.submit(dealer, dealer.locator("main form[method=get] button[type=submit]"))
        card = dealer.locator(".card", has_text=sku)
        expect(card).to_have_count(1)
        expect(card.locator(".fs-5")).to_have_text(yuan(price))
        card.locator("input[name=quantity]").fill(str(quantity))
        journey.submit(dealer, card.locator("button"))
        expect(dealer.locator(".alert-success")).to_contain_text(sku)

    journey.follow(dealer, "/portal/orders/cart/")
    cart = dealer.locator("main form table tbody tr")
    expect(cart).to_have_count(2)
    for sku, quantity, price in LINES:
        row = cart.filter(has_text=sku)
        expect(row.locator("input")).to_have_value(str(quantity))
        expect(row.locator("td").last).to_have_text(yuan(price))
    journey.follow(dealer, "/portal/orders/checkout/")
    place = dealer.locator("main form[method=post] button.btn-primary")
    expect(place).to_contain_text(yuan(TOTAL))
    # Keep the rebate credit: pay from the wallet, the rest on credit.
    dealer.locator("input[name=use_rebate]").uncheck()
    journey.submit(dealer, place)

    on_credit = TOTAL - before.prepaid
    number = dealer.locator("h1").inner_text().split()[1]
    expect(dealer.locator("h1 .badge")).to_have_text(zh("Submitted"))
    expect(dealer.locator("tfoot th.money")).to_have_text(yuan(TOTAL))
    expect(dealer.locator("tfoot")).to_contain_text(
        f"{yuan(Decimal('0.00'))} · {zh('wallet')} {yuan(before.prepaid)}"
        f" · {zh('credit')} {yuan(on_credit)}"
    )

    # The order desk approves and ships everything from the Shanghai warehouse.
    desk = journey.sign_in(ORDER_DESK)
    journey.follow(desk, "/orders/")
    journey.submit(desk, desk.get_by_role("link", name=number, exact=True))
    journey.submit(desk, desk.locator("form[action$='/approve/'] button"))
    expect(desk.locator("h1 .badge")).to_have_text(zh("Approved"))
    ship = desk.locator("form[action$='/ship/']")
    ship.locator("select[name=warehouse]").select_option(label="上海总仓")
    ship.locator("input[name=carrier]").fill("顺丰速运")
    ship.locator("input[name=tracking_number]").fill("SF7712345678")
    for sku, quantity, _price in LINES:
        ship.locator("tr", has_text=sku).locator("input").fill(str(quantity))
    journey.submit(desk, ship.locator("button"))
    expect(desk.locator("h1 .badge")).to_have_text(zh("Shipped"))
    expect(desk.locator(".list-group-item", has_text="SF7712345678")).to_contain_text(
        "SW-16P × 50, NVR-8 × 20"
    )

    # The approved order reaches the cockpit once the worker has refreshed the month's rollup.
    deadline = time.monotonic() + 60
    while month_row(admin) == (orders_before, ordered_before) and time.monotonic() < deadline:
        time.sleep(1)
        admin.reload()
        journey.check(admin)
    assert month_row(admin) == (orders_before + 1, ordered_before + TOTAL)

    # The dealer confirms receipt.
    journey.follow(dealer, "/portal/orders/")
    journey.submit(dealer, dealer.get_by_role("link", name=number, exact=True))
    expect(dealer.locator("h1 .badge")).to_have_text(zh("Shipped"))
    journey.submit(dealer, dealer.locator("form[action$='/receive/'] button"))
    expect(dealer.locator("h1 .badge")).to_have_text(zh("Received"))

    journey.follow(dealer, "/portal/wallet/")
    after = balances(dealer)
    assert after == Money(
        prepaid=Decimal("0.00"),
        rebate=before.rebate,
        credit_limit=before.credit_limit,
        credit=before.credit + on_credit,
        credit_available=before.credit_available - on_credit,
    )
    entries = dealer.locator("#ledger-entries tbody tr", has_text=number)
    expect(entries).to_have_count(2)
    expect(entries.filter(has_text=yuan(-before.prepaid))).to_contain_text(yuan(Decimal("0.00")))
    expect(entries.filter(has_text="+" + yuan(on_credit))).to_contain_text(yuan(after.credit))
