"""The demo desk: rules, policies and eight tickets across the statuses, one escalated twice,
one closed by itself, one turned into a knowledge-base draft."""

from __future__ import annotations

import random

import pytest

from partners.knowledge.models import Article, ArticleStatus
from partners.models import Region
from partners.support.demo import seed
from partners.support.models import RoutingRule, SlaPolicy, Ticket
from partners.support.sla import sla_check
from prm.accounts.roles import Role
from tests.factories import make_order, make_partner, make_product, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_desk_has_a_ticket_in_every_state(in_a, vendor_admin):
    for code, name, name_en in [("310000", "上海", "Shanghai"), ("330000", "浙江", "Zhejiang")]:
        Region.objects.create(code=code, name=name, name_en=name_en, level="province")
    east, diversion = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    order_desk = make_user(Role.ORDER_DESK)
    shanghai = make_partner(region="上海", channel_manager=east)
    zhejiang = make_partner(region="浙江", channel_manager=east)
    ningbo = make_partner(region="浙江")  # East China too: the order rule comes first
    for partner in (shanghai, zhejiang, ningbo):
        make_user(Role.PARTNER_USER, partner=partner)
    make_order(ningbo, (make_product(), 1))

    seed(partners=[shanghai, zhejiang, ningbo], admin=vendor_admin, rng=random.Random(7))

    statuses = sorted(Ticket.objects.values_list("status", flat=True))
    assert statuses == sorted(
        ["closed", "in_progress", "resolved", "waiting", "open", "open", "in_progress", "closed"]
    )
    assert (RoutingRule.objects.count(), SlaPolicy.objects.count()) == (3, 5)
    late = Ticket.objects.get(priority="urgent")
    assert (late.escalation_level, late.first_response_breached, late.resolution_breached) == (
        2,
        True,
        True,
    )
    assert Ticket.objects.get(category="diversion").owner == diversion
    assert Ticket.objects.get(category="order").owner == order_desk
    assert Ticket.objects.get(category="order").order is not None
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT
    assert Ticket.objects.get(article=article).status == "closed"
    # Only the urgent one is late: the others were answered within their targets.
    assert list(Ticket.objects.filter(first_response_breached=True)) == [late]
    assert sla_check() == {"escalated_first_response": 0, "escalated_resolution": 0, "closed": 0}
