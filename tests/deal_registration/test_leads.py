"""Lead distribution: routing rules, answers within the SLA, re-routing, closing, conversion,
who may do and see what, and accept racing expiry on real PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from deal_registration.lead_selectors import (
    lead_conversion,
    lead_for_registration,
    lead_prefill,
    leads_visible_to,
)
from deal_registration.lead_tasks import expire_lead_offers
from deal_registration.leads import (
    lead_close,
    lead_create,
    lead_eligible_partners,
    lead_offer_to,
    lead_partner_problems,
    lead_route,
    offer_accept,
    offer_decline,
    offers_expire,
)
from deal_registration.models import (
    DealRegistration,
    DealRules,
    Industry,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferStatus,
    TierDealRules,
)
from partners.models import Partner, PartnerStatus, ProductLine, Region, Tier
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- builders (also used by test_lead_views) ----------------------------------------------------


@dataclass
class Map:
    zhejiang: Region
    hangzhou: Region
    ningbo: Region
    jiangsu: Region
    locks: ProductLine
    cameras: ProductLine


def build_map(prefix: str = "T") -> Map:
    """Two provinces, two cities of one of them, two product lines."""
    zhejiang = Region.objects.create(
        code=f"{prefix}330000", name="浙江省", name_en="Zhejiang", level=Region.Level.PROVINCE
    )
    city = Region.Level.CITY
    return Map(
        zhejiang=zhejiang,
        hangzhou=Region.objects.create(
            code=f"{prefix}330100", name="杭州市", name_en="Hangzhou", level=city, parent=zhejiang
        ),
        ningbo=Region.objects.create(
            code=f"{prefix}330200", name="宁波市", name_en="Ningbo", level=city, parent=zhejiang
        ),
        jiangsu=Region.objects.create(
            code=f"{prefix}320000", name="江苏省", name_en="Jiangsu", level=Region.Level.PROVINCE
        ),
        locks=ProductLine.objects.create(code=f"{prefix.lower()}-locks", name="门锁"),
        cameras=ProductLine.objects.create(code=f"{prefix.lower()}-cams", name="摄像头"),
    )


def make_tier(code: str, rank: int, *, capacity: int | None = None) -> Tier:
    tier = Tier.objects.create(code=code, name=f"{code}级", name_en=code.title(), rank=rank)
    if capacity is not None:
        TierDealRules.objects.create(tier=tier, protection_days=90, lead_capacity=capacity)
    return tier


def dealer(
    name: str,
    *,
    territories: list[Region],
    lines: list[ProductLine],
    tier: Tier | None = None,
    status: str = PartnerStatus.ACTIVE,
    region: str = "上海",
) -> Partner:
    """An onboarded partner with its territories and authorized product lines."""
    partner = make_partner(name=name, tier=tier, status=status, region=region)
    onboarding_complete_all(partner=partner)
    partner.territories.set(territories)
    partner.product_lines.set(lines)
    return partner


def new_lead(
    actor: Any, region: Region, line: ProductLine, *, route: bool = True, **kw: Any
) -> Lead:
    values: dict[str, Any] = {
        "company_name": "杭州西湖酒店有限公司",
        "industry": Industry.RETAIL,
        "contact_name": "陈经理",
        "contact_phone": "13800000000",
        "contact_email": "chen@xihu-hotel.test",
        "estimated_amount": D("80000.00"),
        "need": "客房智能门锁 200 套",
        "source": "展会",
    }
    values.update(kw)
    return lead_create(actor=actor, region=region, product_line=line, route=route, **values)


def open_offer(lead: Lead) -> LeadOffer:
    return LeadOffer.objects.get(lead=lead, status=OfferStatus.OFFERED)


def history(lead: Lead) -> list[tuple[str, str]]:
    return list(lead.status_changes.order_by("pk").values_list("from_status", "to_status"))


@pytest.fixture
def geo(in_a: Any) -> Map:
    return build_map()


@pytest.fixture
def sales(in_a: Any) -> User:
    return make_user(Role.SALES)


# --- routing ------------------------------------------------------------------------------------


def test_routing_follows_territory_line_tier_and_capacity(geo, sales):
    # Given the vendor's default capacity of 2 open leads and partners around Hangzhou
    DealRules.objects.update_or_create(pk=1, defaults={"lead_capacity": 2})
    full = make_tier("full", 40, capacity=0)
    gold = make_tier("gold", 30, capacity=2)
    silver = make_tier("silver", 20)
    z, hz, locks = geo.zhejiang, geo.hangzhou, geo.locks
    dealer("满额", territories=[z], lines=[locks], tier=full)  # best tier, but no room
    dealer("江苏金牌", territories=[geo.jiangsu], lines=[locks], tier=gold)  # elsewhere
    dealer("只卖摄像头", territories=[hz], lines=[geo.cameras], tier=gold)  # other line
    dealer("停用金牌", territories=[z], lines=[locks], tier=gold, status=PartnerStatus.SUSPENDED)
    a = dealer("银牌甲", territories=[z], lines=[locks], tier=silver)
    d = dealer("杭州金牌", territories=[hz], lines=[locks], tier=gold)
    h = dealer("银牌乙", territories=[z], lines=[locks], tier=silver)
    g = dealer("无等级", territories=[z], lines=[locks])

    # When nine Hangzhou door-lock leads arrive one after another
    leads = [new_lead(sales, hz, locks, company_name=f"客户{n}") for n in range(9)]

    # Then gold goes first up to its tier's capacity, then silver by fewest open leads and pk,
    # then the untiered partner; the ninth finds nobody with room
    assert [lead.partner for lead in leads] == [d, d, a, h, a, h, g, g, None]
    assert [lead.status for lead in leads] == [LeadStatus.OFFERED] * 8 + [LeadStatus.UNROUTED]
    assert history(leads[0]) == [("", "new"), ("new", "offered")]
    assert history(leads[8]) == [("", "new"), ("new", "unrouted")]
    assert leads[8].status_changes.get(to_status="unrouted").reason == (
        "No partner qualifies for this lead."
    )


def test_a_province_covers_its_cities_and_a_city_only_itself(geo, sales):
    city_dealer = dealer("杭州商", territories=[geo.hangzhou], lines=[geo.locks])
    province_dealer = dealer("浙江商", territories=[geo.zhejiang], lines=[geo.locks])
    # Without territories a partner covers its own province (as sell-through decides).
    fallback = dealer("宁波老商", territories=[], lines=[geo.locks], region="浙江")

    in_ningbo = new_lead(sales, geo.ningbo, geo.locks, route=False)
    in_province = new_lead(sales, geo.zhejiang, geo.locks, route=False)
    in_hangzhou = new_lead(sales, geo.hangzhou, geo.locks, route=False)

    def eligible(lead: Lead) -> list[Partner]:
        return [c.partner for c in lead_eligible_partners(lead)]

    assert eligible(in_ningbo) == [province_dealer, fallback]
    assert eligible(in_province) == [province_dealer, fallback]
    assert eligible(in_hangzhou) == [city_dealer, province_dealer, fallback]


def test_an_offer_is_due_after_the_response_hours_and_mails_the_partner_admins(
    geo, sales, django_capture_on_commit_callbacks
):
    DealRules.objects.update_or_create(pk=1, defaults={"lead_response_hours": 24})
    partner = dealer("杭州商", territories=[geo.hangzhou], lines=[geo.locks])
    admin = make_user(Role.PARTNER_ADMIN, partner=partner, email="boss@hz-dealer.test")
    make_user(Role.PARTNER_USER, partner=partner)  # not an admin: no mail
    gone = make_user(Role.PARTNER_ADMIN, partner=partner)
    gone.is_active = False
    gone.save()
    mail.outbox.clear()

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        lead = new_lead(sales, geo.hangzhou, geo.locks)
    after = timezone.now()
    offer = open_offer(lead)

    assert lead.partner == partner
    assert before + timedelta(hours=24) <= offer.respond_by <= after + timedelta(hours=24)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin.email]
    assert lead.number in mail.outbox[0].subject
    assert f"/portal/leads/{lead.pk}/" in mail.outbox[0].body
    assert "13800000000" not in mail.outbox[0].body  # contact details only after accepting


def test_nobody_eligible_leaves_the_lead_unrouted_until_someone_qualifies(geo, sales):
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    again = lead_route(lead, sales)
    partner = dealer("新伙伴", territories=[geo.zhejiang], lines=[geo.locks])
    offer = lead_route(lead, sales)

    assert again is None
    assert offer is not None
    assert offer.partner == partner
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, partner)
    assert history(lead) == [("", "new"), ("new", "unrouted"), ("unrouted", "offered")]
    with pytest.raises(ValidationError) as refused:
        lead_route(lead, sales)
    assert refused.value.messages == ["This lead is waiting for a partner's answer."]


# --- answers ------------------------------------------------------------------------------------


@pytest.fixture
def pair(geo: Map) -> tuple[Partner, User, Partner, User]:
    """A gold and a silver partner for Zhejiang door locks, each with an admin."""
    first = dealer("金牌商", territories=[geo.zhejiang], lines=[geo.locks], tier=make_tier("g", 9))
    second = dealer("银牌商", territories=[geo.zhejiang], lines=[geo.locks], tier=make_tier("s", 8))
    return (
        first,
        make_user(Role.PARTNER_ADMIN, partner=first),
        second,
        make_user(Role.PARTNER_USER, partner=second),
    )


def test_accepting_takes_the_lead_once(geo, sales, pair):
    first, first_user, _second, second_user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer = open_offer(lead)

    with pytest.raises(PermissionDenied):
        offer_accept(offer, second_user)
    with pytest.raises(PermissionDenied):
        offer_accept(offer, sales)
    offer_accept(offer, first_user)
    lead.refresh_from_db()
    with pytest.raises(ValidationError) as twice:
        offer_accept(offer, first_user)

    assert (offer.status, offer.responded_by, offer.reason) == (
        OfferStatus.ACCEPTED,
        first_user,
        "",
    )
    assert offer.responded_at is not None
    assert (lead.status, lead.partner) == (LeadStatus.ACCEPTED, first)
    assert history(lead)[-1] == ("offered", "accepted")
    assert twice.value.messages == ["This lead has already been accepted."]


def test_a_suspended_partner_cannot_accept(geo, sales, pair):
    from partners.services import partner_set_status

    first, first_user, _second, _user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    partner_set_status(partner=first, status=PartnerStatus.SUSPENDED)

    with pytest.raises(ValidationError) as refused:
        offer_accept(open_offer(lead), first_user)

    assert "cannot register deals while its status is Suspended" in refused.value.messages[0]
    assert open_offer(lead).partner == first


def test_declining_needs_a_reason_and_re_routes_at_once(geo, sales, pair):
    _first, first_user, second, second_user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer = open_offer(lead)

    with pytest.raises(ValidationError) as no_reason:
        offer_decline(offer, first_user, "  ")
    offer_decline(offer, first_user, "本月人手不足")
    lead.refresh_from_db()
    moved_to = open_offer(lead)
    offer_decline(moved_to, second_user, "不做酒店项目")
    lead.refresh_from_db()

    assert no_reason.value.message_dict == {"reason": ["Say why you decline the lead."]}
    offer.refresh_from_db()
    assert (offer.status, offer.reason, offer.responded_by) == (
        OfferStatus.DECLINED,
        "本月人手不足",
        first_user,
    )
    assert moved_to.partner == second
    assert (lead.status, lead.partner) == (LeadStatus.UNROUTED, None)
    assert history(lead) == [
        ("", "new"),
        ("new", "offered"),
        ("offered", "offered"),
        ("offered", "unrouted"),
    ]
    reroute = lead.status_changes.get(from_status="offered", to_status="offered")
    assert reroute.reason.startswith("金牌商 declined: 本月人手不足 · Offered to 银牌商")
    assert reroute.actor == first_user


def test_an_unanswered_offer_expires_after_the_sla_and_the_lead_moves_on(geo, sales, pair):
    _first, first_user, second, _user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer = open_offer(lead)

    not_yet = offers_expire()
    LeadOffer.objects.filter(pk=offer.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    expired = expire_lead_offers()  # the hourly job
    again = offers_expire()
    lead.refresh_from_db()
    offer.refresh_from_db()
    with pytest.raises(ValidationError) as late:
        offer_accept(offer, first_user)

    assert (not_yet, expired, again) == (0, 1, 0)
    assert (offer.status, offer.responded_at, offer.responded_by) == (
        OfferStatus.EXPIRED,
        None,
        None,
    )
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, second)
    assert open_offer(lead).partner == second
    assert lead.status_changes.filter(from_status="offered", to_status="offered").get().reason
    assert late.value.messages == ["The time to answer this lead has run out."]


def test_an_overdue_offer_can_still_be_accepted_until_it_expires(geo, sales, pair):
    _first, first_user, _second, _user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer = open_offer(lead)
    LeadOffer.objects.filter(pk=offer.pk).update(respond_by=timezone.now() - timedelta(hours=1))

    offer_accept(offer, first_user)

    assert offers_expire() == 0
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED


# --- the vendor's own choice ----------------------------------------------------------------------


def test_offering_to_a_chosen_partner_checks_the_same_rules(geo, sales, pair):
    first, first_user, second, _user = pair
    outsider = dealer("江苏商", territories=[geo.jiangsu], lines=[geo.locks])
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer_decline(open_offer(lead), first_user, "没空")  # now offered to the second

    with pytest.raises(ValidationError) as declined_before:
        lead_offer_to(lead, first, sales)
    with pytest.raises(ValidationError) as outside:
        lead_offer_to(lead, outsider, sales)
    with pytest.raises(ValidationError) as waiting:
        lead_offer_to(lead, second, sales)
    outsider.territories.add(geo.zhejiang)
    offer = lead_offer_to(lead, outsider, sales)
    lead.refresh_from_db()

    assert declined_before.value.message_dict == {
        "partner": ["金牌商 has already been offered this lead; a lead goes to each partner once."]
    }
    assert outside.value.message_dict == {
        "partner": ["Hangzhou is outside the territory of 江苏商."]
    }
    assert waiting.value.message_dict == {
        "partner": ["The lead is already waiting for an answer from 银牌商."]
    }
    assert (offer.partner, lead.partner, lead.status) == (outsider, outsider, LeadStatus.OFFERED)
    assert LeadOffer.objects.get(lead=lead, partner=second).status == OfferStatus.WITHDRAWN
    assert [c.partner for c in lead_eligible_partners(lead)] == []


def test_partner_problems_name_every_reason(geo, sales):
    DealRules.objects.update_or_create(pk=1, defaults={"lead_capacity": 1})
    busy = dealer("忙碌商", territories=[geo.jiangsu], lines=[geo.cameras])
    other = dealer("另一商", territories=[geo.zhejiang], lines=[geo.locks])
    busy_lead = new_lead(sales, geo.jiangsu, geo.cameras)  # fills its one place
    lead = new_lead(sales, geo.hangzhou, geo.locks, route=False)

    assert busy_lead.partner == busy
    assert lead_partner_problems(lead, busy) == [
        "忙碌商 is not authorized for 门锁.",
        "Hangzhou is outside the territory of 忙碌商.",
        "忙碌商 already holds 1 open leads, its limit is 1.",
    ]
    assert lead_partner_problems(lead, other) == []


# --- closing and conversion -----------------------------------------------------------------------


def test_closing_a_lead_and_the_conversion_figures(geo, sales, pair):
    first, first_user, second, _second_user = pair
    won, lost, dropped = (new_lead(sales, geo.hangzhou, geo.locks) for _ in range(3))
    offer_accept(open_offer(won), first_user)
    offer_accept(open_offer(lost), first_user)
    offer_decline(open_offer(dropped), first_user, "太远")
    LeadOffer.objects.filter(lead=dropped, status=OfferStatus.OFFERED).update(
        respond_by=timezone.now() - timedelta(minutes=5)
    )
    offers_expire()  # the second lets it lapse; nobody else is left

    with pytest.raises(ValidationError) as not_accepted:
        lead_close(dropped, won=True, actor=sales)
    lead_close(won, won=True, actor=sales, reason="签约 200 套")
    lead_close(lost, won=False, actor=sales, reason="客户选了竞品")
    with pytest.raises(ValidationError) as closed_twice:
        lead_close(won, won=None, actor=sales)
    stats = lead_conversion(sales)

    assert not_accepted.value.messages == [
        "Only a lead a partner has accepted can be marked won or lost."
    ]
    assert closed_twice.value.messages == ["This lead has already been won."]
    assert (won.status, lost.status, won.partner) == (
        LeadStatus.CONVERTED,
        LeadStatus.LOST,
        first,
    )
    assert history(won)[-1] == ("accepted", "converted")
    assert won.status_changes.first().reason == "签约 200 套"
    assert (stats.total, stats.offered, stats.accepted, stats.converted) == (3, 3, 2, 1)
    assert (stats.lost, stats.unrouted) == (1, 1)
    assert stats.acceptance_rate == D("66.67")
    assert stats.conversion_rate == D("33.33")
    assert stats.win_rate == D("50.00")
    assert [
        (s.partner, s.offered, s.accepted, s.declined, s.expired, s.converted, s.acceptance_rate)
        for s in stats.partners
    ] == [
        (first, 3, 2, 1, 0, 1, D("66.67")),
        (second, 1, 0, 0, 1, 0, D("0.00")),
    ]


def test_no_leads_give_no_rates(in_a):
    stats = lead_conversion(make_user(Role.ADMIN))

    assert (stats.total, stats.offered, stats.partners) == (0, 0, [])
    assert (stats.acceptance_rate, stats.conversion_rate, stats.win_rate) == (None, None, None)


def test_closing_an_offered_lead_withdraws_the_offer(geo, sales, pair):
    _first, first_user, _second, _user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)
    offer = open_offer(lead)

    lead_close(lead, won=None, actor=sales, reason="客户已自行采购")
    offer.refresh_from_db()

    assert (lead.status, lead.partner) == (LeadStatus.CLOSED, None)
    assert offer.status == OfferStatus.WITHDRAWN
    assert list(leads_visible_to(first_user)) == []
    with pytest.raises(ValidationError) as late:
        offer_accept(offer, first_user)
    assert late.value.messages == ["The vendor has withdrawn this lead."]


# --- permissions, visibility, registration --------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ORDER_DESK, Role.PARTNER_ADMIN])
def test_only_lead_roles_create_route_and_close(geo, sales, role):
    partner = make_partner() if role == Role.PARTNER_ADMIN else None
    user = make_user(role, partner=partner)
    lead = new_lead(sales, geo.hangzhou, geo.locks, route=False)

    with pytest.raises(PermissionDenied):
        new_lead(user, geo.hangzhou, geo.locks)
    with pytest.raises(PermissionDenied):
        lead_route(lead, user)
    with pytest.raises(PermissionDenied):
        lead_close(lead, won=None, actor=user)
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CHANNEL_MANAGER, Role.MARKETING])
def test_the_other_lead_roles_may_manage(geo, role):
    lead = new_lead(make_user(role), geo.hangzhou, geo.locks)

    assert lead.status == LeadStatus.UNROUTED


def test_missing_fields_are_reported_per_field_and_nothing_is_saved(geo, sales):
    with pytest.raises(ValidationError) as bad:
        new_lead(sales, geo.hangzhou, geo.locks, company_name=" ", need="", contact_email="nope")

    assert set(bad.value.message_dict) == {"company_name", "need", "contact_email"}
    assert not Lead.objects.exists()


def test_who_sees_which_lead(geo, sales, pair):
    _first, first_user, _second, second_user = pair
    stranger = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    offered = new_lead(sales, geo.hangzhou, geo.locks)
    accepted = new_lead(sales, geo.hangzhou, geo.locks)
    offer_accept(open_offer(accepted), first_user)
    new_lead(sales, geo.jiangsu, geo.locks)  # nobody covers Jiangsu

    assert leads_visible_to(make_user(Role.FINANCE)).count() == 3
    # A channel manager owning neither partner sees only the unrouted lead (the pool).
    assert leads_visible_to(make_user(Role.CHANNEL_MANAGER)).count() == 1
    assert set(leads_visible_to(first_user)) == {offered, accepted}
    assert list(leads_visible_to(second_user)) == []
    assert list(leads_visible_to(stranger)) == []

    offer_decline(open_offer(offered), first_user, "忙")

    assert list(leads_visible_to(first_user)) == [accepted]
    assert list(leads_visible_to(second_user)) == [offered]


def test_an_accepted_lead_prefills_one_registration(geo, sales, pair):
    first, first_user, _second, second_user = pair
    lead = new_lead(sales, geo.hangzhou, geo.locks)

    before_accepting = lead_for_registration(first_user, lead.pk)
    offer_accept(open_offer(lead), first_user)
    found = lead_for_registration(first_user, lead.pk)
    other = lead_for_registration(second_user, lead.pk)
    DealRegistration.objects.create(
        number="DR-T-1",
        partner=first,
        created_by=first_user,
        expected_close_date=timezone.localdate() + timedelta(days=30),
        lead=lead,
        **lead_prefill(lead),
    )

    assert (before_accepting, found, other) == (None, lead, None)
    assert lead_for_registration(first_user, lead.pk) is None
    assert lead_prefill(lead) == {
        "customer_name": "杭州西湖酒店有限公司",
        "region": geo.hangzhou,
        "industry": Industry.RETAIL,
        "product_line": geo.locks,
        "contact_name": "陈经理",
        "contact_phone": "13800000000",
        "contact_email": "chen@xihu-hotel.test",
        "estimated_amount": D("80000.00"),
        "title": "杭州西湖酒店有限公司 · 门锁",
        "description": "客房智能门锁 200 套",
    }


# --- concurrency --------------------------------------------------------------------------------


def _race_setup(*, capacity: int | None = None, leads: int = 1, route: bool = True) -> dict:
    existed = DealRules.objects.filter(pk=1).exists()
    DealRules.current()
    geo = build_map("R")
    tier = make_tier("race", 77, capacity=capacity) if capacity is not None else None
    partner = dealer("抢单商", territories=[geo.zhejiang], lines=[geo.locks], tier=tier)
    answerer = make_user(Role.PARTNER_ADMIN, partner=partner)
    seller = make_user(Role.SALES)
    with translation.override("en"):
        made = [new_lead(seller, geo.hangzhou, geo.locks, route=route) for _ in range(leads)]
    return {
        "rules": not existed,
        "tier": tier.pk if tier else None,
        "partner": partner.pk,
        "users": [answerer.pk, seller.pk],
        "leads": [lead.pk for lead in made],
        "regions": [geo.hangzhou.pk, geo.ningbo.pk, geo.zhejiang.pk, geo.jiangsu.pk],
        "lines": [geo.locks.pk, geo.cameras.pk],
    }


def _audit(app: str, model: str, key: str) -> str:
    return (
        f"DELETE FROM auditlog_logentry WHERE object_pk = ANY(%({key})s::text[]) AND "
        "content_type_id = (SELECT id FROM django_content_type "
        f"WHERE app_label = '{app}' AND model = '{model}')"
    )


def _race_remove(ids: dict) -> None:
    # Only the rows this test committed, in SQL, children first; a foreign key we did not expect
    # fails here loudly instead of leaving rows behind.
    params = {
        "leads": ids["leads"],
        "partners": [ids["partner"]],
        "users": ids["users"],
        "regions": ids["regions"],
        "lines": ids["lines"],
        "tiers": [ids["tier"]] if ids["tier"] else [],
        "rules": [1] if ids["rules"] else [],
    }
    statements = [
        "DELETE FROM deal_registration_leadstatuschange WHERE lead_id = ANY(%(leads)s)",
        "DELETE FROM deal_registration_leadoffer WHERE lead_id = ANY(%(leads)s)",
        "DELETE FROM deal_registration_lead WHERE id = ANY(%(leads)s)",
        _audit("deal_registration", "lead", "leads"),
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = ANY(%(users)s)",
        _audit("accounts", "user", "users"),
        "DELETE FROM accounts_user WHERE id = ANY(%(users)s)",
        "DELETE FROM auditlog_logentry WHERE content_type_id = (SELECT id FROM "
        "django_content_type WHERE app_label = 'partner_onboarding' AND model = 'onboardingstep') "
        "AND object_pk IN (SELECT id::text FROM partner_onboarding_onboardingstep "
        "WHERE partner_id = ANY(%(partners)s))",
        "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
        "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(partners)s))",
        "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM partners_partner_territories WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM partners_partner_product_lines WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = ANY(%(partners)s)",
        _audit("partners", "partner", "partners"),
        "DELETE FROM reports_rolluppending WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM reports_partnermonth WHERE partner_id = ANY(%(partners)s)",
        "DELETE FROM partners_partner WHERE id = ANY(%(partners)s)",
        "DELETE FROM auditlog_logentry WHERE content_type_id = (SELECT id FROM "
        "django_content_type WHERE app_label = 'deal_registration' AND model = 'tierdealrules') "
        "AND object_pk IN (SELECT id::text FROM deal_registration_tierdealrules "
        "WHERE tier_id = ANY(%(tiers)s))",
        "DELETE FROM deal_registration_tierdealrules WHERE tier_id = ANY(%(tiers)s)",
        _audit("partners", "tier", "tiers"),
        "DELETE FROM partners_tier WHERE id = ANY(%(tiers)s)",
        "DELETE FROM partners_region WHERE id = ANY(%(regions)s) AND parent_id IS NOT NULL",
        "DELETE FROM partners_region WHERE id = ANY(%(regions)s)",
        _audit("partners", "region", "regions"),
        "DELETE FROM partners_productline WHERE id = ANY(%(lines)s)",
        _audit("partners", "productline", "lines"),
        "DELETE FROM deal_registration_dealrules WHERE id = ANY(%(rules)s)",
        _audit("deal_registration", "dealrules", "rules"),
        # Numbers taken by the race: later tests expect this vendor's first numbers.
        "DELETE FROM core_sequence WHERE key LIKE 'LD-%%'",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)


def test_accept_racing_expiry_lets_exactly_one_win(tenant_a):
    ids = in_thread("alpha", _race_setup)
    try:

        def overdue() -> None:
            LeadOffer.objects.filter(lead_id__in=ids["leads"]).update(
                respond_by=timezone.now() - timedelta(seconds=1)
            )

        in_thread("alpha", overdue)

        def accept() -> str:
            offer = LeadOffer.objects.get(lead_id=ids["leads"][0])
            try:
                with translation.override("en"):
                    offer_accept(offer, User.objects.get(pk=ids["users"][0]))
            except ValidationError as exc:
                return "refused: " + " ".join(exc.messages)
            return "accepted"

        def expire() -> str:
            return f"expired {offers_expire()}"

        results = run_concurrently("alpha", [accept, expire, accept, expire])

        def outcome() -> tuple[Any, ...]:
            lead = Lead.objects.get(pk=ids["leads"][0])
            offer = LeadOffer.objects.get(lead=lead)
            return lead.status, offer.status, lead.status_changes.count()

        lead_status, offer_status, changes = in_thread("alpha", outcome)

        wins = results.count("accepted") + results.count("expired 1")
        assert wins == 1
        assert results.count("expired 0") + sum(r.startswith("refused") for r in results) == 3
        if "accepted" in results:
            assert (lead_status, offer_status) == (LeadStatus.ACCEPTED, OfferStatus.ACCEPTED)
        else:
            assert (lead_status, offer_status) == (LeadStatus.UNROUTED, OfferStatus.EXPIRED)
            assert all(
                r == "refused: The time to answer this lead has run out."
                for r in results
                if r.startswith("refused")
            )
        assert changes == 3  # created, offered, then accepted or unrouted: once
    finally:
        in_thread("alpha", lambda: _race_remove(ids))


def test_routing_at_the_same_moment_respects_capacity(tenant_a):
    ids = in_thread("alpha", lambda: _race_setup(capacity=1, leads=4, route=False))
    try:

        def route(pk: int) -> Any:
            def run() -> int | None:
                with translation.override("en"):
                    offer = lead_route(
                        Lead.objects.get(pk=pk), User.objects.get(pk=ids["users"][1])
                    )
                return offer.partner_id if offer else None

            return run

        results = run_concurrently("alpha", [route(pk) for pk in ids["leads"]])
        statuses = in_thread(
            "alpha",
            lambda: sorted(
                Lead.objects.filter(pk__in=ids["leads"]).values_list("status", flat=True)
            ),
        )

        assert sorted(results, key=str) == [ids["partner"], None, None, None]
        assert statuses == ["offered", "unrouted", "unrouted", "unrouted"]
    finally:
        in_thread("alpha", lambda: _race_remove(ids))
