"""Who owns a new ticket: the first active routing rule by position whose category and
provinces match; a rule whose owner left is passed over; else the partner's channel manager;
else the first vendor admin."""

from __future__ import annotations

import pytest

from partners.models import Partner, Region
from partners.support.models import RoutingRule, TicketCategory
from partners.support.routing import route_owner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import submit

pytestmark = pytest.mark.django_db


def province(code: str, name: str, name_en: str) -> Region:
    return Region.objects.create(code=code, name=name, name_en=name_en, level="province")


def rule(owner: User, *, position: int, category: str = "", regions: tuple = ()) -> RoutingRule:
    made = RoutingRule.objects.create(
        name=f"rule {position}", position=position, category=category, owner=owner
    )
    made.regions.set(regions)
    return made


def test_a_category_rule_takes_its_category_only(world):
    diversion_desk = make_user(Role.SALES, full_name="窜货专员")
    rule(diversion_desk, position=10, category=TicketCategory.DIVERSION)

    diversion = submit(world, category=TicketCategory.DIVERSION, subject="发现窜货")
    defect = submit(world, category=TicketCategory.PRODUCT_DEFECT)

    assert diversion.owner == diversion_desk
    assert defect.owner == world["manager"]  # no rule: the partner's channel manager


def test_a_region_rule_matches_the_province_by_either_name(world):
    east = make_user(Role.CHANNEL_MANAGER, full_name="华东支持")
    rule(east, position=10, regions=(province("310000", "上海", "Shanghai"),))
    english_named = make_partner(region="Shanghai")
    zhejiang = make_partner(region="浙江")

    assert route_owner(partner=world["partner"], category="defect") == east
    assert route_owner(partner=english_named, category="pricing") == east
    assert route_owner(partner=zhejiang, category="defect") != east


def test_the_lowest_position_wins_and_inactive_rules_or_owners_are_passed_over(world):
    first, second, third = (make_user(Role.SALES) for _ in range(3))
    shanghai = province("310000", "上海", "Shanghai")
    rule(third, position=30)
    rule(second, position=20, category=TicketCategory.PRICING, regions=(shanghai,))
    rule(first, position=5, category=TicketCategory.PRICING)

    assert route_owner(partner=world["partner"], category="pricing") == first
    RoutingRule.objects.filter(owner=first).update(is_active=False)
    assert route_owner(partner=world["partner"], category="pricing") == second
    User.objects.filter(pk=second.pk).update(is_active=False)
    assert route_owner(partner=world["partner"], category="pricing") == third
    assert route_owner(partner=world["partner"], category="order") == third


def test_without_a_rule_the_channel_manager_then_the_first_vendor_admin(world, vendor_admin):
    assert route_owner(partner=world["partner"], category="other") == world["manager"]
    Partner.objects.filter(pk=world["partner"].pk).update(channel_manager=None)
    world["partner"].refresh_from_db()

    assert route_owner(partner=world["partner"], category="other") == vendor_admin
    assert submit(world).owner == vendor_admin
