"""Journey 4: a partner admin reads its agreement's PDF and signs it electronically; a name
other than its own is refused at the field; the signed agreement shows who signed, and the
channel manager sees it signed."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from .journey import Journey, zh

pytestmark = pytest.mark.django_db

SIGNER = "admin@chuanglian.example.cn"  # 深圳南山创联科技: its agreement awaits signature
SIGNER_NAME = "郑磊"
MANAGER = "zhang.wei@demo.localhost"  # 创联's channel manager


def test_partner_admin_signs_its_agreement(journey: Journey):
    partner = journey.sign_in(SIGNER)
    journey.follow(partner, "/portal/agreements/")
    waiting = partner.locator("main .list-group-item", has_text=zh("Read and sign"))
    expect(waiting).to_have_count(1)
    expect(waiting.locator(".badge")).to_have_text(zh("Awaiting signature"))
    journey.submit(partner, waiting)
    number = partner.locator(".breadcrumb-item.active").inner_text()

    # The PDF the partner opens is exactly the document the page says it signs.
    shown = partner.locator("main .card-body code").first.inner_text()
    pdf = journey.fetch(partner, partner.locator("a[href$='/pdf/']").get_attribute("href") or "")
    assert (pdf.status, pdf.content_type) == (200, "application/pdf")
    assert hashlib.sha256(pdf.body).hexdigest() == shown

    form = partner.locator("form", has=partner.locator("input[name=typed_name]"))
    form.locator("input[name=typed_name]").fill("郑 雷")
    form.locator("input[name=consent]").check()
    journey.submit(partner, form.locator("button"))
    error = partner.locator("input[name=typed_name] ~ .invalid-feedback")
    expect(error).to_have_text(
        zh("Type your name exactly as on your account: %(name)s.") % {"name": SIGNER_NAME}
    )
    expect(partner.locator("h1 .badge")).to_have_text(zh("Awaiting signature"))

    form.locator("input[name=typed_name]").fill(SIGNER_NAME)
    form.locator("input[name=consent]").check()
    journey.submit(partner, form.locator("button"))
    expect(partner.locator(".alert-success")).to_have_text(zh("Signed. Thank you."))
    expect(partner.locator("h1 .badge")).to_have_text(zh("Signed"))
    expect(partner.locator("input[name=typed_name]")).to_have_count(0)
    signed = partner.locator("dd", has_text=SIGNER_NAME)
    expect(signed).to_contain_text(f"· {SIGNER_NAME} ({SIGNER})")
    record = journey.fetch(
        partner, partner.locator("a[href$='/signing-record/']").get_attribute("href") or ""
    )
    assert (record.status, record.content_type) == (200, "application/pdf")
    assert record.body.startswith(b"%PDF-")

    manager = journey.sign_in(MANAGER)
    journey.follow(manager, "/partners/agreements/")
    row = manager.locator("main tr", has_text=number)
    expect(row.locator(".badge")).to_have_text(zh("Signed"))
    journey.submit(manager, row.get_by_role("link", name=number, exact=True))
    expect(manager.locator("dd", has_text=SIGNER_NAME)).to_contain_text(f"{SIGNER_NAME} ({SIGNER})")
    partner.reload()  # the partner's signed agreement is the journey's last page
    journey.check(partner)
