"""Feature gates, progress counts and vendor staff resolving steps."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.models import PartnerStatus
from partners.onboarding.models import OnboardingStepChange, StepKind, StepStatus
from partners.onboarding.selectors import feature_blockers, onboarding_progress
from partners.onboarding.services import (
    onboarding_complete,
    onboarding_complete_all,
    onboarding_set_step,
)
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .helpers import make_template, statuses, step

pytestmark = pytest.mark.django_db


def test_blockers_list_pending_gating_steps_in_english(in_a):
    partner = make_partner()

    with translation.override("en"):
        ordering = feature_blockers(partner, "ordering")
        deals = feature_blockers(partner, "deal_registration")

    assert ordering == [
        "Sign the partner agreement before ordering.",
        "Upload the business licence before ordering.",
    ]
    assert deals == [
        "Sign the partner agreement before registering deals.",
        "Finish the required courses before registering deals.",
    ]


def test_blockers_use_the_chinese_titles_in_chinese(in_a):
    partner = make_partner()

    with translation.override("zh-hans"):
        ordering = feature_blockers(partner, "ordering")
        deals = feature_blockers(partner, "deal_registration")

    # The sentence around the title comes from the catalog; the title from the record.
    assert ordering == ["请先完成“签署合作协议”，再下单。", "请先完成“上传营业执照”，再下单。"]
    assert deals == [
        "请先完成“签署合作协议”，再进行客户报备。",
        "请先完成“完成必修课程”，再进行客户报备。",
    ]


def test_blockers_shrink_as_steps_are_done_or_waived(in_a, vendor_admin):
    partner = make_partner()
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)
    onboarding_set_step(
        step=step(partner, "required-courses"),
        status=StepStatus.WAIVED,
        actor=vendor_admin,
        note="线下已培训",
    )

    with translation.override("en"):
        assert feature_blockers(partner, "ordering") == [
            "Upload the business licence before ordering."
        ]
        assert feature_blockers(partner, "deal_registration") == []


def test_optional_and_inactive_gating_steps_do_not_block(in_a):
    make_template("optional-gate", required=False, gates_ordering=True)
    partner = make_partner()
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)
    onboarding_complete(partner=partner, kind=StepKind.UPLOAD_QUALIFICATION)

    assert feature_blockers(partner, "ordering") == []
    assert statuses(partner)["optional-gate"] == "pending"


def test_partner_without_checklist_is_not_gated(in_a):
    partner = make_partner(status=PartnerStatus.APPLIED)

    assert feature_blockers(partner, "ordering") == []
    assert feature_blockers(partner.pk, "deal_registration") == []


def test_unknown_feature_is_refused(in_a):
    with pytest.raises(ValueError, match="unknown feature"):
        feature_blockers(make_partner(), "rebates")


def test_progress_counts_resolved_and_required_steps(in_a, vendor_admin):
    partner = make_partner()
    before = onboarding_progress(partner)
    onboarding_complete(partner=partner, kind=StepKind.INVITE_USERS)
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)
    onboarding_set_step(
        step=step(partner, "required-courses"),
        status=StepStatus.WAIVED,
        actor=vendor_admin,
        note="免修",
    )

    after = onboarding_progress(partner)

    assert (before.done, before.total, before.required_done, before.required_total) == (0, 4, 0, 3)
    assert (after.done, after.total, after.required_done, after.required_total) == (3, 4, 2, 3)
    assert after.percent == 75
    assert after.required_complete is False
    assert [s.template.code for s in after.steps] == [
        "sign-agreement",
        "business-licence",
        "required-courses",
        "invite-team",
    ]


def test_complete_all_resolves_everything(in_a, vendor_admin):
    partner = make_partner(status=PartnerStatus.APPLIED)

    changed = onboarding_complete_all(partner=partner, actor=vendor_admin, note="导入")
    progress = onboarding_progress(partner)

    assert changed == 4
    assert (progress.done, progress.total, progress.complete) == (4, 4, True)
    assert onboarding_complete_all(partner=partner) == 0


def test_waiving_needs_a_note_and_writes_nothing_without_one(in_a, vendor_admin):
    partner = make_partner()
    courses = step(partner, "required-courses")

    with pytest.raises(ValidationError) as exc:
        onboarding_set_step(step=courses, status=StepStatus.WAIVED, actor=vendor_admin, note="  ")

    assert "note" in exc.value.message_dict
    courses.refresh_from_db()
    assert courses.status == "pending"
    assert OnboardingStepChange.objects.filter(step=courses).count() == 0


def test_staff_completion_records_who_when_and_history(in_a, vendor_admin):
    partner = make_partner()
    courses = step(partner, "required-courses")

    onboarding_set_step(
        step=courses, status=StepStatus.DONE, actor=vendor_admin, note="3门课程已完成"
    )

    courses.refresh_from_db()
    change = OnboardingStepChange.objects.get(step=courses)
    assert (courses.status, courses.done_by, courses.note) == (
        "done",
        vendor_admin,
        "3门课程已完成",
    )
    assert courses.done_at is not None
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "pending",
        "done",
        vendor_admin,
        "3门课程已完成",
    )


def test_resolved_step_cannot_be_resolved_again(in_a, vendor_admin):
    partner = make_partner()
    onboarding_complete(partner=partner, kind=StepKind.SIGN_AGREEMENT)

    with pytest.raises(ValidationError):
        onboarding_set_step(
            step=step(partner, "sign-agreement"),
            status=StepStatus.WAIVED,
            actor=vendor_admin,
            note="x",
        )
    assert statuses(partner)["sign-agreement"] == "done"


def test_only_admins_and_the_own_channel_manager_may_resolve(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner(channel_manager=manager)
    others = [
        make_user(Role.CHANNEL_MANAGER),
        make_user(Role.FINANCE),
        make_user(Role.SALES),
        make_user(Role.PARTNER_ADMIN, partner=partner),
    ]

    for user in others:
        with pytest.raises(PermissionDenied):
            onboarding_set_step(
                step=step(partner, "required-courses"), status=StepStatus.DONE, actor=user
            )
    onboarding_set_step(
        step=step(partner, "required-courses"), status=StepStatus.DONE, actor=manager
    )

    assert statuses(partner)["required-courses"] == "done"
