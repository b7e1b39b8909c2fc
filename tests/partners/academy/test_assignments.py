"""Who is assigned what: the published courses of the active paths matching the company (type,
tier, region, as partners.audience decides) and the person's role; required if any path says so."""

from __future__ import annotations

import pytest

from partners.academy.assignments import active_paths, assignments_for, path_matches
from partners.academy.courses import course_archive
from partners.academy.models import LearningPath, PathRole
from partners.audience import audience_filter
from partners.models import PartnerType, Region, Tier
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .builders import make_course, make_path

pytestmark = pytest.mark.django_db


def _titles(user) -> list[tuple[str, bool]]:
    return [(a.course.code, a.required) for a in assignments_for(user)]


def test_paths_assign_by_partner_type_role_tier_and_region(in_a):
    gold = Tier.objects.create(code="gold-t", name="金牌", name_en="Gold", rank=30)
    zhejiang = Region.objects.create(
        code="330000", name="浙江", name_en="Zhejiang", level="province"
    )
    basics, admins_only, gold_only, east, draft, service = (
        make_course(code=c) for c in ("basics", "admins", "gold", "east", "draft", "service")
    )
    draft_course = make_course(code="unpublished", publish=False)
    make_path(basics, (admins_only, False))
    make_path(admins_only, role=PathRole.PARTNER_ADMIN)  # required for admins
    make_path(gold_only, tiers=[gold])
    make_path((east, False), regions=[zhejiang])
    make_path(service, partner_types=[PartnerType.SERVICE])
    make_path(draft_course)
    inactive = make_path(draft)
    LearningPath.objects.filter(pk=inactive.pk).update(is_active=False)
    dealer = make_partner(partner_type=PartnerType.DEALER, tier=gold, region="Zhejiang")
    plain = make_partner(partner_type=PartnerType.DEALER, region="上海")

    boss = make_user(Role.PARTNER_ADMIN, partner=dealer)
    clerk = make_user(Role.PARTNER_USER, partner=dealer)
    elsewhere = make_user(Role.PARTNER_USER, partner=plain)

    assert _titles(boss) == [("basics", True), ("admins", True), ("gold", True), ("east", False)]
    assert _titles(clerk) == [("basics", True), ("admins", False), ("gold", True), ("east", False)]
    assert _titles(elsewhere) == [("basics", True), ("admins", False)]
    assert _titles(make_user(Role.SALES)) == []
    course_archive(basics)
    assert _titles(elsewhere) == [("admins", False)]


def test_path_matching_is_the_audience_rule(in_a):
    gold = Tier.objects.create(code="gold-a", name="金牌", name_en="Gold", rank=31)
    silver = Tier.objects.create(code="silver-a", name="银牌", name_en="Silver", rank=21)
    zhejiang = Region.objects.create(
        code="330001", name="浙江", name_en="Zhejiang", level="province"
    )
    course = make_course()
    paths = [
        make_path(course),
        make_path(course, partner_types=[PartnerType.SERVICE, PartnerType.AGENT]),
        make_path(course, tiers=[gold]),
        make_path(course, regions=[zhejiang]),
        make_path(course, tiers=[silver], regions=[zhejiang], partner_types=[PartnerType.DEALER]),
    ]
    partners = [
        make_partner(partner_type=PartnerType.DEALER, tier=gold, region="浙江"),
        make_partner(partner_type=PartnerType.AGENT, tier=silver, region="Zhejiang"),
        make_partner(partner_type=PartnerType.DEALER, tier=silver, region="浙江"),
        make_partner(partner_type=PartnerType.SERVICE, region="上海"),
    ]
    loaded = {p.pk: p for p in active_paths()}

    for partner in partners:
        by_audience = set(
            audience_filter(LearningPath.objects.all(), partner).values_list("pk", flat=True)
        )
        by_academy = {p.pk for p in paths if path_matches(loaded[p.pk], partner)}
        assert by_academy == by_audience, partner
