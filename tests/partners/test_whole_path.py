"""招募 → 入驻 → 认证 → 评级 → 清退 in one story, through the services the pages call."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from partners.agreements.models import AgreementStatus, AgreementTemplate
from partners.agreements.services import (
    agreement_create,
    agreement_issue,
    agreement_sign,
    agreement_verify,
)
from partners.gates import DEAL_REGISTRATION, ORDERING, partner_blockers
from partners.models import PartnerStatus, ProgramSettings
from partners.onboarding.models import StepKind
from partners.onboarding.services import onboarding_complete
from partners.programs.models import TierChange
from partners.programs.services import tier_evaluate
from partners.recruitment.services import application_approve, application_start_review
from partners.services import partner_set_status
from prm.accounts.models import User
from tests.factories import make_order, make_product
from tests.partners.programs.conftest import program, score_seventy, tiers  # noqa: F401
from tests.partners.recruitment.conftest import make_application, regions  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_application_to_termination(
    regions,  # noqa: F811
    program,  # noqa: F811
    vendor_admin,
    django_capture_on_commit_callbacks,
):
    settings_row = ProgramSettings.current()
    settings_row.tier_auto_apply = True
    settings_row.termination_grace_days = 30
    settings_row.save()
    product = make_product("250.00")

    # 招募: a company applies on /join/; the vendor reviews and approves it.
    application = make_application(
        regions,
        legal_name="宁波港城电子有限公司",
        contact_name="陈晓",
        contact_email="chen.xiao@gangcheng.example.cn",
    )
    application_start_review(application=application, actor=vendor_admin)
    with django_capture_on_commit_callbacks(execute=True):
        partner = application_approve(
            application=application, actor=vendor_admin, base_url="http://alpha.localhost"
        )
    admin_user = User.objects.get(partner=partner)
    assert partner.status == PartnerStatus.ACTIVE
    assert [m.to for m in mail.outbox] == [["chen.xiao@gangcheng.example.cn"]]

    # 入驻: the licence came with the application; the agreement still gates ordering.
    assert partner_blockers(partner, ORDERING) == ["Sign the partner agreement before ordering."]
    with pytest.raises(ValidationError, match="Sign the partner agreement before ordering"):
        make_order(partner, (product, 1), onboarded=False)

    # 认证: the vendor issues the agreement, the partner's admin signs the exact PDF.
    agreement = agreement_issue(
        agreement=agreement_create(
            partner=partner,
            template=AgreementTemplate.objects.get(code="channel-partner"),
            actor=vendor_admin,
            term_start=timezone.localdate(),
            purchase_target=Decimal("500000.00"),
        ),
        actor=vendor_admin,
    )
    stored = agreement.pdf.open("rb").read()
    assert agreement.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    signed = agreement_sign(
        agreement=agreement,
        user=admin_user,
        typed_name="陈晓",
        consent=True,
        document_sha256=hashlib.sha256(stored).hexdigest(),
        ip="192.0.2.10",
        user_agent="pytest",
    )
    assert (signed.status, signed.signed_sha256) == (AgreementStatus.SIGNED, agreement.pdf_sha256)
    assert agreement_verify(signed) is True
    assert partner_blockers(partner, ORDERING) == []
    order = make_order(partner, (product, 4), onboarded=False)
    assert order.total == Decimal("1000.00")
    onboarding_complete(partner=partner, kind=StepKind.COMPLETE_COURSE)
    assert partner_blockers(partner, DEAL_REGISTRATION) == []

    # 评级: the nightly evaluation scores 70.00 and moves the partner to gold by itself.
    score_seventy(partner, program)
    tier_evaluate(actor=None)
    partner.refresh_from_db()
    assert partner.tier == program.tiers.gold
    change = TierChange.objects.get(partner=partner)
    assert (change.from_tier, change.to_tier) == (None, program.tiers.gold)

    # Suspension closes ordering and deal registration, saying why.
    partner_set_status(
        partner=partner, status=PartnerStatus.SUSPENDED, actor=vendor_admin, reason="逾期未回款"
    )
    partner.refresh_from_db()
    for feature in (ORDERING, DEAL_REGISTRATION):
        assert partner_blockers(partner, feature)[0].endswith("while its status is Suspended.")
    with pytest.raises(ValidationError, match="cannot order while its status is Suspended"):
        make_order(partner, (product, 1), onboarded=False)

    # 清退: users off, balances frozen, protection released after the grace, agreement ended.
    partner_set_status(
        partner=partner, status=PartnerStatus.TERMINATED, actor=vendor_admin, reason="严重窜货"
    )
    partner.refresh_from_db()
    signed.refresh_from_db()
    admin_user.refresh_from_db()
    assert admin_user.is_active is False
    assert partner.balances_frozen is True
    assert partner.terminated_at is not None
    assert partner.protection_release_at == partner.terminated_at + timedelta(days=30)
    assert signed.status == AgreementStatus.TERMINATED
    assert list(partner.status_changes.order_by("pk").values_list("to_status", flat=True)) == [
        "applied",
        "active",
        "suspended",
        "terminated",
    ]
