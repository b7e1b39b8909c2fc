"""The settlement document of a claim: what was approved and paid, the invoices and results, in
the vendor's language with Chinese names as glyphs; only decided claims have one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from mdf.claims import InvoiceIn, claim_approve, claim_submit
from mdf.models import SettledAs
from mdf.settlement import claim_settle
from mdf.settlement_pdf import settlement_filename, settlement_pdf
from prm.accounts.roles import Role
from tests.factories import make_user
from tests.pdf import pdf_fonts, pdf_text

from .test_claims import proven

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_settled_claim_prints_its_amounts_invoices_and_payout(world):
    finance = make_user(Role.FINANCE)
    request = proven(world, ("场地", "3000.00"), ("餐饮", "1000.00"))
    claim = claim_submit(
        request,
        [
            InvoiceIn("FP-0001", date(2026, 12, 10), D("2800.00"), "杭州国际会议中心"),
            InvoiceIn("FP-0002", date(2026, 12, 10), D("950.50"), "杭州某餐饮有限公司"),
        ],
        user=world["dealer"],
        leads=25,
        new_customers=3,
        revenue=D("180000.00"),
    )
    with translation.override("en"), pytest.raises(ValueError, match="approved and settled"):
        settlement_pdf(claim)
    claim_approve(claim, user=finance, amount=D("3500.00"), reason="餐饮超标")
    claim_settle(claim, actor=finance, settled_as=SettledAs.PAYOUT, payout_reference="ICBC-778")
    claim.refresh_from_db()

    data = settlement_pdf(claim)

    text = pdf_text(data).replace("\n", "")
    assert data.startswith(b"%PDF")
    assert "市场费用核销单" in text  # the vendor's language: Chinese
    assert world["partner"].name in text
    assert claim.number in text
    for shown in ("¥4,000.00", "¥3,750.50", "¥3,500.00", "餐饮超标", "ICBC-778", "FP-0002"):
        assert shown in text, shown
    assert "¥180,000.00" in text
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(data)
    assert settlement_filename(claim) == f"mdf-settlement-{claim.number}.pdf"
