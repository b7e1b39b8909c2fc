"""Demo agreements: a signed one expiring soon with its renewal drafted, one awaiting the
partner's signature, and one signed by a partner that is terminated later (so it ends too)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role

from .models import Agreement, AgreementTemplate
from .services import agreement_create, agreement_issue, agreement_renew, agreement_sign

INCENTIVES = "季度采购达成 100% 返点 2%，达成 120% 返点 3%；新品首单享 5% 市场支持费用。"


def _issued(partner: Partner, *, admin: Any, start_days_ago: int, target: str) -> Agreement:
    actor = partner.channel_manager or admin
    draft = agreement_create(
        partner=partner,
        template=AgreementTemplate.objects.get(code="channel-partner"),
        actor=actor,
        term_start=timezone.localdate() - timedelta(days=start_days_ago),
        purchase_target=Decimal(target),
        incentive_terms=INCENTIVES,
    )
    return agreement_issue(agreement=draft, actor=actor)


def _sign(agreement: Agreement) -> Agreement:
    signer = User.objects.get(partner=agreement.partner, role=Role.PARTNER_ADMIN)
    return agreement_sign(
        agreement=agreement,
        user=signer,
        typed_name=signer.full_name,
        consent=True,
        document_sha256=agreement.pdf_sha256,
        ip="127.0.0.1",
        user_agent="make demo",
    )


def seed(*, renewing: Partner, awaiting: Partner, terminating: Partner, admin: Any) -> None:
    # Started 340 days ago on a 12-month term: it ends within the reminder window.
    current = _sign(_issued(renewing, admin=admin, start_days_ago=340, target="3000000.00"))
    agreement_renew(
        agreement=current,
        actor=renewing.channel_manager or admin,
        purchase_target=Decimal("3600000.00"),
    )
    _issued(awaiting, admin=admin, start_days_ago=0, target="2000000.00")
    _sign(_issued(terminating, admin=admin, start_days_ago=200, target="300000.00"))
