"""Who an announcement is for and who sees it: the active users of active partners in its
audience, by tier, type and region (exact sets), the same answer partners.audience gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from partners.announcements.models import Announcement
from partners.announcements.receipts import announcement_open
from partners.announcements.recipients import recipient_ids, recipients
from partners.announcements.selectors import (
    announcement_get_visible,
    announcements_pending_for,
    announcements_visible_to,
)
from partners.announcements.services import announcement_withdraw
from partners.audience import audience_filter
from partners.models import Partner, PartnerStatus, PartnerType
from partners.services import partner_set_status
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import announce

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(kb):
    editor = kb["editor"]
    return {
        "everyone": announce(editor, title="全体"),
        "gold": announce(editor, title="金牌", tiers=[kb["gold"]]),
        "dealers": announce(editor, title="经销商", partner_types=[PartnerType.DEALER]),
        "guangdong": announce(editor, title="广东", regions=[kb["guangdong"]]),
        "gold_dealers_in_zhejiang": announce(
            editor,
            title="浙江金牌经销商",
            tiers=[kb["gold"]],
            partner_types=[PartnerType.DEALER],
            regions=[kb["zhejiang"]],
        ),
    }


def _people(kb, *names):
    return {kb[name].pk for name in names}


def test_recipients_are_exactly_the_partner_users_of_the_audience(kb, notices):
    found = recipient_ids(list(notices.values()))
    everyone = {u.pk for u in recipients(notices["everyone"])}

    assert _people(kb, "gold_dealer_user", "silver_dealer_user", "agent_user") <= everyone
    assert found[notices["gold"].pk] == _people(kb, "gold_dealer_user", "gold_distributor_user")
    assert found[notices["dealers"].pk] == _people(kb, "gold_dealer_user", "silver_dealer_user")
    assert found[notices["guangdong"].pk] == _people(
        kb, "silver_dealer_user", "gold_distributor_user"
    )
    assert found[notices["gold_dealers_in_zhejiang"].pk] == _people(kb, "gold_dealer_user")


def test_inactive_people_and_partners_that_are_not_active_are_not_recipients(kb, notices):
    gone = make_user(Role.PARTNER_USER, partner=kb["gold_dealer"])
    gone.is_active = False
    gone.save()
    suspended = make_partner(status=PartnerStatus.SUSPENDED, tier=kb["gold"])
    make_user(Role.PARTNER_USER, partner=suspended)

    assert recipient_ids([notices["gold"]])[notices["gold"].pk] == _people(
        kb, "gold_dealer_user", "gold_distributor_user"
    )


def test_a_province_typed_with_its_suffix_is_in_the_region(kb, notices):
    zhejiang_sheng = make_partner(region="浙江省", partner_type=PartnerType.DEALER, tier=kb["gold"])
    guangdong_province = make_partner(region="Guangdong Province", tier=kb["silver"])
    in_zhejiang = make_user(Role.PARTNER_USER, partner=zhejiang_sheng)
    in_guangdong = make_user(Role.PARTNER_USER, partner=guangdong_province)

    found = recipient_ids(list(notices.values()))

    assert found[notices["gold_dealers_in_zhejiang"].pk] == {kb["gold_dealer_user"].pk} | {
        in_zhejiang.pk
    }
    assert found[notices["guangdong"].pk] == _people(
        kb, "silver_dealer_user", "gold_distributor_user"
    ) | {in_guangdong.pk}
    seen = announcement_get_visible(user=in_zhejiang, pk=notices["gold_dealers_in_zhejiang"].pk)
    assert seen == notices["gold_dealers_in_zhejiang"]


def test_a_suspended_partners_people_neither_see_nor_count_until_it_is_active_again(kb, notices):
    suspended = make_partner(
        status=PartnerStatus.SUSPENDED, tier=kb["gold"], partner_type=PartnerType.DISTRIBUTOR
    )
    person = make_user(Role.PARTNER_USER, partner=suspended)
    gold = notices["gold"]

    assert announcements_visible_to(person).count() == 0
    assert announcement_get_visible(user=person, pk=gold.pk) is None
    assert announcements_pending_for(person).unread == 0
    with pytest.raises(PermissionDenied):
        announcement_open(gold, user=person)
    assert person.pk not in recipient_ids([gold])[gold.pk]

    partner_set_status(partner=suspended, status=PartnerStatus.ACTIVE)
    person = User.objects.get(pk=person.pk)

    assert sorted(announcements_visible_to(person).values_list("title", flat=True)) == sorted(
        ["全体", "金牌"]
    )
    assert person.pk in recipient_ids([gold])[gold.pk]
    assert announcement_open(gold, user=person).user_id == person.pk


def test_the_rule_agrees_with_partners_audience_for_every_partner(kb, notices):
    for region in ("浙江省", "Zhejiang", "广东省", "guangdong province", "省", "上海市"):
        for tier in (kb["gold"], None):
            make_user(Role.PARTNER_USER, partner=make_partner(region=region, tier=tier))
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE))
    for announcement in notices.values():
        expected = {
            p.pk
            for p in partners
            if audience_filter(Announcement.objects.filter(pk=announcement.pk), p).exists()
        }
        found = set(recipients(announcement).values_list("partner_id", flat=True).distinct())
        with_users = set(
            Partner.objects.filter(pk__in=expected, users__is_active=True).values_list(
                "pk", flat=True
            )
        )
        assert found == with_users, announcement.title


def test_partners_see_only_live_announcements_of_their_audience(kb, notices):
    editor = kb["editor"]
    announce(editor, title="草稿", publish=False)
    announcement_withdraw(announce(editor, title="撤回"), actor=editor, reason="价格有误")

    titles = sorted(
        announcements_visible_to(kb["silver_dealer_user"]).values_list("title", flat=True)
    )

    assert titles == sorted(["全体", "经销商", "广东"])
    assert announcement_get_visible(user=kb["silver_dealer_user"], pk=notices["gold"].pk) is None
    assert announcements_visible_to(kb["sales"]).count() == 7
