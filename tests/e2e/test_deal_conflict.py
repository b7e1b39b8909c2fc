"""Journey 2: a partner registers a customer another partner already holds. The form warns while
the customer is typed, the submitted registration carries the warning (without naming the other
partner), and the channel manager sees whose registration it collides with."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .journey import Journey, yuan, zh

pytestmark = pytest.mark.django_db

PARTNER = "buyer@xihu.example.cn"  # 杭州西湖安防设备
MANAGER = "li.na@demo.localhost"  # channel manager of both partners
# Registered, approved and protected for 上海华东智能科技 in the demo (deal_registration/demo.py).
CUSTOMER = "上海明辉精密制造有限公司"
CREDIT_CODE = "91310115MA1K4C9L0G"
HOLDER = "上海华东智能科技有限公司"
ESTIMATE = Decimal("260000.00")


def test_partner_registers_a_customer_another_partner_holds(journey: Journey):
    partner = journey.sign_in(PARTNER)
    journey.follow(partner, "/portal/deals/")
    journey.follow(partner, "/portal/deals/new/")
    check = partner.locator("#conflict-check")

    # The check answers as the partner types (htmx): the name alone already collides.
    partner.locator("#id_customer_name").fill(CUSTOMER)
    expect(check.locator(".alert-danger")).to_contain_text(zh("Already registered"))
    expect(check).to_contain_text(f"{zh('Matched on:')} {zh('company name')}")
    partner.locator("#id_credit_code").fill(CREDIT_CODE)
    matched = f"{zh('Matched on:')} {zh('credit code')}, {zh('company name')}"
    expect(check).to_contain_text(matched)
    expect(check).not_to_contain_text(HOLDER)  # never whose customer it is

    partner.locator("#id_region").select_option(label="上海市区")
    partner.locator("#id_industry").select_option("manufacturing")
    partner.locator("#id_contact_name").fill("陈建国")
    partner.locator("#id_contact_phone").fill("13916660000")
    partner.locator("#id_title").fill("厂区视频监控 / plant video surveillance")
    partner.locator("#id_product_line").select_option(label="安防监控")
    partner.locator("#id_products").select_option(label="NVR-8 8 路网络硬盘录像机")
    partner.locator("#id_estimated_amount").fill(str(ESTIMATE))
    close = timezone.localdate() + timedelta(days=60)
    partner.locator("#id_expected_close_date").fill(close.isoformat())
    journey.submit(partner, partner.locator("button[name=submit]"))

    expect(partner.locator("h1 .badge")).to_have_text(zh("Submitted"))
    warning = partner.locator("main .alert-danger[role=status]")
    expect(warning).to_contain_text(zh("Already registered"))
    expect(warning).to_contain_text(matched)
    expect(warning).not_to_contain_text(HOLDER)
    facts = partner.locator("main dl")
    expect(facts.first).to_contain_text(CREDIT_CODE)
    expect(facts.last).to_contain_text(yuan(ESTIMATE))
    expect(facts.last).to_contain_text(close.isoformat())
    number = partner.locator(".breadcrumb-item.active").inner_text()

    # The channel manager sees the collision, with whose registration it is.
    manager = journey.sign_in(MANAGER)
    journey.follow(manager, "/deals/")
    journey.submit(manager, manager.get_by_role("link", name=number, exact=True))
    expect(manager.locator("h1 .badge.text-bg-danger")).to_have_text(zh("conflict"))
    expect(manager.locator("main p.small").first).to_contain_text(zh("does not hold the customer"))
    holder = manager.locator("main table tbody tr", has_text=HOLDER)
    expect(holder).to_have_count(1)
    cells = holder.locator("td")
    expect(cells.nth(0)).to_have_text(zh("Deal registration"))
    expect(cells.nth(1)).to_contain_text(f"{HOLDER} · {CUSTOMER}")
    expect(cells.nth(2).locator(".badge")).to_have_text([zh("credit code"), zh("company name")])
    expect(cells.nth(3)).to_have_text("1.00")
    expect(cells.nth(4)).to_have_text(zh("Blocked"))
