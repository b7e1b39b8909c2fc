from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from partners.agreements.models import Agreement, AgreementTemplate
from partners.agreements.services import agreement_create, agreement_issue
from partners.onboarding.services import onboarding_start
from prm.accounts.roles import Role
from tests.factories import make_credit_code, make_partner, make_user


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are asserted in English; pages set their language per request."""
    with translation.override("en"):
        yield


@pytest.fixture
def template(in_a: Any) -> AgreementTemplate:
    return AgreementTemplate.objects.get(code="channel-partner")


@pytest.fixture
def deal(in_a: Any, template: AgreementTemplate) -> dict[str, Any]:
    """A partner of manager 王经理 with its admin 张三, and one issued agreement."""
    manager = make_user(Role.CHANNEL_MANAGER, full_name="王经理")
    partner = make_partner(
        name="杭州西湖电子有限公司", credit_code=make_credit_code(41), channel_manager=manager
    )
    onboarding_start(partner=partner)
    signer = make_user(Role.PARTNER_ADMIN, partner=partner, full_name="张三")
    agreement = agreement_create(
        partner=partner,
        template=template,
        actor=manager,
        term_start=timezone.localdate(),
        purchase_target=Decimal("1200000.00"),
        incentive_terms="季度返点 2%",
    )
    return {
        "manager": manager,
        "partner": partner,
        "signer": signer,
        "colleague": make_user(Role.PARTNER_USER, partner=partner),
        "agreement": agreement_issue(agreement=agreement, actor=manager),
    }


def sign_kwargs(agreement: Agreement, user: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "user": user,
        "typed_name": user.full_name,
        "consent": True,
        "document_sha256": agreement.pdf_sha256,
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (test)",
        **overrides,
    }


def days(n: int) -> Any:
    return timezone.localdate() + timedelta(days=n)
