"""Journey 3: a partner asks for market funds for a store display, the channel manager approves,
the partner uploads its proof and claims with the invoice, finance approves and settles into the
partner's wallet; the fund and the wallet show exactly that."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from .journey import Journey, amount, yuan, zh

pytestmark = pytest.mark.django_db

PARTNER = "partner@huadong.example.cn"  # 上海华东智能科技: nothing asked from this fund yet
MANAGER = "li.na@demo.localhost"
FINANCE = "chen.jing@demo.localhost"
FUND = "华东门店陈列专项"  # 8,000.00 to each partner in East China (mdf/demo.py)
ALLOCATED = Decimal("8000.00")
BUDGET = [("陈列道具 / fixtures", Decimal("3500.00")), ("安装 / installation", Decimal("1500.00"))]
REQUESTED = Decimal("5000.00")
INVOICED = Decimal("4800.00")
ZERO = Decimal("0.00")


def fund_card(page: Page) -> dict[str, Decimal]:
    """The fund's figures on the partner's market funds page, by their (Chinese) captions."""
    card = page.locator(".card", has=page.locator("h2", has_text=FUND))
    cells = card.locator(".row-cols-3 .col")
    return {
        cell.locator("div").first.inner_text(): amount(cell.locator("div").last.inner_text())
        for cell in cells.all()
    }


def figures(**values: Decimal) -> dict[str, Decimal]:
    captions = {
        "allocated": "Allocated",
        "reserved": "Reserved",
        "claimed": "Claimed",
        "paid": "Paid",
        "expired": "Expired",
        "available": "Available",
    }
    return {zh(caption): values.get(key, ZERO) for key, caption in captions.items()}


def proof_files(folder: Path) -> tuple[Path, Path]:
    photo, invoice = folder / "门店陈列.png", folder / "发票.pdf"
    image = Image.new("RGB", (640, 400), (232, 238, 247))
    image.save(photo, format="PNG")
    image.save(invoice, format="PDF")
    return photo, invoice


def test_partner_requests_proves_and_claims_finance_settles(journey: Journey, tmp_path: Path):
    today = timezone.localdate()
    starts, ends = today - timedelta(days=10), today - timedelta(days=8)
    partner = journey.sign_in(PARTNER)
    journey.follow(partner, "/portal/wallet/")
    wallet_before = amount(partner.locator('[data-balance="prepaid"]').inner_text())
    journey.follow(partner, "/portal/mdf/")
    assert fund_card(partner) == figures(allocated=ALLOCATED, available=ALLOCATED)

    # The request, for an activity held last week.
    journey.follow(partner, "/portal/mdf/requests/new/")
    fund = partner.locator("#id_fund option", has_text=FUND).get_attribute("value")
    partner.locator("#id_fund").select_option(fund)
    partner.locator("#id_activity_type").select_option(label="门店陈列")
    partner.locator("#id_title").fill("南京东路旗舰店陈列升级")
    partner.locator("#id_starts_on").fill(starts.isoformat())
    partner.locator("#id_ends_on").fill(ends.isoformat())
    partner.locator("#id_location").fill("上海 黄浦区")
    partner.locator("#id_plan").fill(
        "新品门锁与摄像头的陈列区，配导购演示 / display area with demos"
    )
    partner.locator("#id_expected_leads").fill("20")
    partner.locator("#id_expected_revenue").fill("150000.00")
    for n, (text, value) in enumerate(BUDGET, start=1):
        partner.locator(f"#id_line-{n}-description").fill(text)
        partner.locator(f"#id_line-{n}-amount").fill(str(value))
    journey.submit(partner, partner.locator("button[name=submit]"))
    expect(partner.locator("h1 .badge")).to_have_text(zh("Waiting for the channel manager"))
    expect(partner.locator("main tfoot")).to_contain_text(yuan(REQUESTED))
    number = partner.locator(".breadcrumb-item.active").inner_text()

    manager = journey.sign_in(MANAGER)
    journey.follow(manager, "/mdf/")
    journey.submit(manager, manager.get_by_role("link", name=number, exact=True))
    journey.submit(manager, manager.locator("button[formaction$='/approve/']"))
    expect(manager.locator("h1 .badge")).to_have_text(zh("Approved"))

    # The proof this activity type needs (photos and the invoice), then the claim.
    partner.reload()
    journey.check(partner)
    expect(partner.locator("h1 .badge")).to_have_text(zh("Approved"))
    photo, invoice = proof_files(tmp_path)
    for kind, path in (("photo", photo), ("invoice", invoice)):
        upload = partner.locator("form[action$='/evidence/']")
        upload.locator("select[name=kind]").select_option(kind)
        upload.locator("input[name=file]").set_input_files(path)
        journey.submit(partner, upload.locator("button"))
        expect(partner.locator("#evidence")).to_contain_text(path.name)
    expect(partner.locator("#evidence-missing")).to_have_count(0)
    journey.follow(partner, partner.locator("a[href$='/claim/']").get_attribute("href") or "")
    partner.locator("input[name=invoice-1-number]").fill("31002300778899")
    partner.locator("input[name=invoice-1-issued_on]").fill(
        (starts + timedelta(days=1)).isoformat()
    )
    partner.locator("input[name=invoice-1-amount]").fill(str(INVOICED))
    partner.locator("input[name=invoice-1-issuer]").fill("上海某展示器材有限公司")
    partner.locator("#id_leads").fill("18")
    partner.locator("#id_new_customers").fill("3")
    partner.locator("#id_revenue").fill("120000.00")
    journey.submit(partner, partner.locator("main form button.btn-primary"))
    expect(partner.locator("h1 .badge")).to_have_text(zh("Waiting for review"))
    expect(partner.locator("main tfoot")).to_contain_text(yuan(INVOICED))
    claim = partner.locator(".breadcrumb-item.active").inner_text()
    journey.follow(partner, "/portal/mdf/")
    # Approving the request reserved it; the claim keeps it reserved until it is decided.
    assert fund_card(partner) == figures(
        allocated=ALLOCATED, reserved=REQUESTED, available=ALLOCATED - REQUESTED
    )

    finance = journey.sign_in(FINANCE)
    journey.follow(finance, "/mdf/claims/")
    journey.submit(finance, finance.get_by_role("link", name=claim, exact=True))
    journey.submit(finance, finance.locator("button[formaction$='/approve/']"))
    expect(finance.locator("h1 .badge")).to_have_text(zh("Approved"))
    settle = finance.locator("#settle form")
    expect(settle.locator("input[value=wallet]")).to_be_checked()
    journey.submit(finance, settle.locator("button"))
    expect(finance.locator("h1 .badge")).to_have_text(zh("Settled"))
    pdf = journey.fetch(
        finance, finance.locator("a[href$='settlement.pdf']").get_attribute("href") or ""
    )
    assert (pdf.status, pdf.content_type) == (200, "application/pdf")
    assert pdf.body.startswith(b"%PDF-")

    journey.follow(partner, "/portal/wallet/")
    assert (
        amount(partner.locator('[data-balance="prepaid"]').inner_text()) == wallet_before + INVOICED
    )
    expect(partner.locator("#ledger-entries tbody tr", has_text=claim)).to_contain_text(
        "+" + yuan(INVOICED)
    )
    journey.follow(partner, "/portal/mdf/")
    assert fund_card(partner) == figures(
        allocated=ALLOCATED, paid=INVOICED, available=ALLOCATED - INVOICED
    )
