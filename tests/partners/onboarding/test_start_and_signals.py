"""Starting onboarding, and the partner events that complete its steps."""

import pytest

from partners.models import PartnerStatus, PartnerType, Qualification
from partners.onboarding.models import OnboardingStep, OnboardingStepChange, StepKind
from partners.onboarding.services import onboarding_complete, onboarding_start
from partners.services import partner_set_status, qualification_add
from partners.signals import (
    agreement_signed,
    partner_approved,
    partner_status_changed,
    partner_user_invited,
    qualification_uploaded,
)
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .helpers import DEFAULT_CODES, codes, make_template, statuses

pytestmark = pytest.mark.django_db


def test_default_templates_exist_in_each_vendor(in_a):
    from partners.onboarding.models import OnboardingStepTemplate

    rows = list(
        OnboardingStepTemplate.objects.order_by("position").values_list(
            "code",
            "kind",
            "title",
            "title_en",
            "required",
            "gates_ordering",
            "gates_deal_registration",
        )
    )

    assert rows == [
        (
            "sign-agreement",
            "sign_agreement",
            "签署合作协议",
            "Sign the partner agreement",
            True,
            True,
            True,
        ),
        (
            "business-licence",
            "upload_qualification",
            "上传营业执照",
            "Upload the business licence",
            True,
            True,
            False,
        ),
        (
            "required-courses",
            "complete_course",
            "完成必修课程",
            "Finish the required courses",
            True,
            False,
            True,
        ),
        ("invite-team", "invite_users", "邀请团队成员", "Invite your team", False, False, False),
    ]


def test_start_creates_steps_for_the_partner_type_only_once(in_a):
    make_template("distributor-stock", partner_type=PartnerType.DISTRIBUTOR, position=35)
    make_template("dealer-showroom", partner_type=PartnerType.DEALER, position=36)
    make_template("retired", is_active=False, position=37)
    distributor = make_partner(status=PartnerStatus.APPLIED, partner_type=PartnerType.DISTRIBUTOR)
    agent = make_partner(status=PartnerStatus.APPLIED, partner_type=PartnerType.AGENT)

    first = onboarding_start(partner=distributor)
    again = onboarding_start(partner=distributor)
    onboarding_start(partner=agent)

    assert [s.template.code for s in first] == [
        "sign-agreement",
        "business-licence",
        "required-courses",
        "distributor-stock",
        "invite-team",
    ]
    assert again == []
    assert codes(distributor) == [
        "sign-agreement",
        "business-licence",
        "required-courses",
        "distributor-stock",
        "invite-team",
    ]
    assert codes(agent) == DEFAULT_CODES
    assert set(statuses(distributor).values()) == {"pending"}


def test_start_adds_templates_created_later_and_keeps_resolved_steps(in_a):
    partner = make_partner(status=PartnerStatus.APPLIED)
    onboarding_start(partner=partner)
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)
    make_template("site-visit", position=60)

    created = onboarding_start(partner=partner)

    assert [s.template.code for s in created] == ["site-visit"]
    assert statuses(partner)["sign-agreement"] == "done"


def test_applied_partner_has_no_steps_until_approved_or_activated(in_a):
    applied = make_partner(status=PartnerStatus.APPLIED)
    other = make_partner(status=PartnerStatus.APPLIED)
    assert codes(applied) == []

    partner_approved.send(sender=None, partner=applied, application=None)
    partner_set_status(partner=other, status=PartnerStatus.ACTIVE)

    assert codes(applied) == DEFAULT_CODES
    assert codes(other) == DEFAULT_CODES


def test_status_change_to_other_statuses_starts_nothing(in_a):
    partner = make_partner(status=PartnerStatus.APPLIED)

    partner_status_changed.send(
        sender=None, partner=partner, from_status="active", to_status="suspended"
    )

    assert codes(partner) == []


def test_agreement_signal_completes_the_agreement_step_once(in_a):
    partner = make_partner()

    agreement_signed.send(sender=None, partner=partner, agreement=None)
    agreement_signed.send(sender=None, partner=partner, agreement=None)

    assert statuses(partner) == {
        "sign-agreement": "done",
        "business-licence": "pending",
        "required-courses": "pending",
        "invite-team": "pending",
    }
    assert OnboardingStepChange.objects.filter(step__partner=partner).count() == 1
    done = OnboardingStep.objects.get(partner=partner, template__code="sign-agreement")
    assert done.done_at is not None
    assert done.done_by is None


def test_only_a_business_licence_completes_the_qualification_step(in_a):
    partner = make_partner()

    qualification_add(partner=partner, kind=Qualification.Kind.INDUSTRY, number="IND-1")
    after_industry = statuses(partner)["business-licence"]
    qualification_add(partner=partner, kind=Qualification.Kind.BUSINESS_LICENSE, number="LIC-1")

    assert after_industry == "pending"
    assert statuses(partner)["business-licence"] == "done"


def test_licence_uploaded_before_approval_still_counts(in_a):
    partner = make_partner(status=PartnerStatus.APPLIED)
    qualification = Qualification.objects.create(
        partner=partner, kind=Qualification.Kind.BUSINESS_LICENSE, number="LIC-9"
    )
    qualification_uploaded.send(sender=None, partner=partner, qualification=qualification)
    other = make_partner(status=PartnerStatus.APPLIED)
    Qualification.objects.create(
        partner=other, kind=Qualification.Kind.BUSINESS_LICENSE, number="LIC-10"
    )

    partner_approved.send(sender=None, partner=partner, application=None)
    partner_approved.send(sender=None, partner=other, application=None)

    assert statuses(partner)["business-licence"] == "done"
    assert statuses(other)["business-licence"] == "done"
    assert statuses(other)["sign-agreement"] == "pending"


def test_user_invited_signal_completes_the_team_step(in_a):
    partner = make_partner()
    user = make_user(Role.PARTNER_USER, partner=partner)

    partner_user_invited.send(sender=None, partner=partner, user=user)

    assert statuses(partner)["invite-team"] == "done"
    assert statuses(partner)["sign-agreement"] == "pending"


def test_signals_touch_only_their_own_partner(in_a):
    partner, other = make_partner(), make_partner()

    agreement_signed.send(sender=None, partner=partner, agreement=None)

    assert statuses(other)["sign-agreement"] == "pending"


def test_complete_refuses_unknown_kinds(in_a):
    partner = make_partner()

    with pytest.raises(ValueError, match="unknown onboarding step kind"):
        onboarding_complete(partner=partner, kind="sign_everything")
