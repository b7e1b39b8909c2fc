"""Lead pages over HTTP: entering, routing, offering, closing, answering; who sees what; bounded
queries; isolation between partners and between vendors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from deal_registration.leads import lead_offer_to, offer_accept, offer_decline
from deal_registration.models import DealRules, Lead, LeadOffer, LeadStatus, OfferStatus
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user

from .test_leads import Map, build_map, dealer, make_tier, new_lead, open_offer

pytestmark = pytest.mark.django_db


def _english(client: Any, user: Any) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


@pytest.fixture
def geo(in_a: Any) -> Map:
    return build_map()


@pytest.fixture
def sales(in_a: Any) -> User:
    return make_user(Role.SALES)


@pytest.fixture
def gold(geo: Map) -> tuple[Partner, User]:
    partner = dealer(
        "金牌商", territories=[geo.zhejiang], lines=[geo.locks], tier=make_tier("g", 9)
    )
    return partner, make_user(Role.PARTNER_ADMIN, partner=partner)


@pytest.fixture
def silver(geo: Map) -> tuple[Partner, User]:
    partner = dealer(
        "银牌商", territories=[geo.zhejiang], lines=[geo.locks], tier=make_tier("s", 8)
    )
    return partner, make_user(Role.PARTNER_USER, partner=partner)


def lead_for(sales: User, geo: Map, **kw: Any) -> Lead:
    with translation.override("en"):
        return new_lead(sales, geo.hangzhou, geo.locks, **kw)


def form_data(geo: Map, **overrides: str) -> dict[str, str]:
    data = {
        "company_name": "杭州西湖酒店有限公司",
        "region": str(geo.hangzhou.pk),
        "industry": "retail",
        "product_line": str(geo.locks.pk),
        "contact_name": "陈经理",
        "contact_phone": "13800000000",
        "contact_email": "chen@xihu-hotel.test",
        "estimated_amount": "80000.00",
        "need": "客房智能门锁 200 套",
        "source": "展会",
        "route_now": "on",
    }
    data.update(overrides)
    return data


# --- vendor portal ------------------------------------------------------------------------------


def test_the_vendor_enters_a_lead_and_it_is_offered_at_once(client_a, geo, sales, gold):
    partner, _user = gold
    client = _english(client_a, sales)

    form = client.get("/deals/leads/new/")
    response = client.post("/deals/leads/new/", form_data(geo))
    lead = Lead.objects.get()
    detail = client.get(response["Location"])

    assert form.status_code == 200
    assert b'name="company_name"' in form.content
    assert response.status_code == 302
    assert response["Location"] == f"/deals/leads/{lead.pk}/"
    assert (lead.status, lead.partner, lead.created_by) == (LeadStatus.OFFERED, partner, sales)
    assert lead.number.startswith("LD-")
    assert detail.status_code == 200
    assert f"Lead {lead.number} offered to 金牌商.".encode() in detail.content
    assert list(detail.context["offers"]) == [open_offer(lead)]
    assert list(detail.context["status_changes"]) == list(lead.status_changes.all())
    assert b"Status history" in detail.content
    assert b"Waiting for" in detail.content
    assert "Zhejiang · Hangzhou".encode() in detail.content


def test_missing_fields_are_shown_at_their_field_and_nothing_is_saved(client_a, geo, sales):
    client = _english(client_a, sales)

    empty = client.post("/deals/leads/new/", {"route_now": "on"})
    bad = client.post(
        "/deals/leads/new/",
        form_data(geo, contact_email="not-an-email", estimated_amount="-1", region="999999"),
    )

    assert empty.status_code == bad.status_code == 200
    assert set(empty.context["form"].errors) == {
        "company_name",
        "region",
        "industry",
        "product_line",
        "contact_name",
        "need",
    }
    assert set(bad.context["form"].errors) == {"contact_email", "estimated_amount", "region"}
    assert b"is-invalid" in bad.content
    assert not Lead.objects.exists()


def test_a_lead_without_an_amount_or_routing_waits_as_new(client_a, geo, sales, gold):
    client = _english(client_a, sales)

    response = client.post(
        "/deals/leads/new/", form_data(geo, estimated_amount="", route_now=""), follow=True
    )
    lead = Lead.objects.get()

    assert (lead.status, lead.partner, lead.estimated_amount) == (LeadStatus.NEW, None, 0)
    assert f"Lead {lead.number} saved.".encode() in response.content
    assert response.context["can_route"] is True


def test_route_offer_and_close_from_the_detail_page(client_a, geo, sales, gold, silver):
    (first, _first_user), (second, _second_user) = gold, silver
    lead = lead_for(sales, geo, route=False)
    client = _english(client_a, sales)
    url = f"/deals/leads/{lead.pk}/"

    page = client.get(url)
    routed = client.post(url + "route/")
    lead.refresh_from_db()
    offered_first = lead.partner
    chosen = client.post(url + "offer/", {"partner": second.pk}, follow=True)
    lead.refresh_from_db()
    again = client.post(url + "offer/", {"partner": first.pk}, follow=True)
    nobody = client.post(url + "offer/", {"partner": ""}, follow=True)
    not_won = client.post(url + "close/", {"outcome": "won"}, follow=True)
    closed = client.post(url + "close/", {"outcome": "closed", "reason": "客户取消"}, follow=True)
    lead.refresh_from_db()

    assert (page.context["can_route"], page.context["can_offer"]) == (True, True)
    assert [c.partner for c in page.context["candidates"]] == [first, second]
    assert b"Route to the best partner" in page.content
    assert routed.status_code == 302
    assert routed["Location"] == url
    assert offered_first == first
    assert "offered to 银牌商.".encode() in chosen.content
    assert LeadOffer.objects.get(lead=lead, partner=first).status == OfferStatus.WITHDRAWN
    assert "金牌商 has already been offered this lead".encode() in again.content
    assert b"Choose the partner to offer the lead to." in nobody.content
    assert b"Only a lead a partner has accepted can be marked won or lost." in not_won.content
    assert lead.status == LeadStatus.CLOSED
    assert b"Close the lead" not in closed.content
    assert "客户取消".encode() in closed.content


def test_an_accepted_lead_is_marked_won(client_a, geo, sales, gold):
    _partner, user = gold
    lead = lead_for(sales, geo)
    offer_accept(open_offer(lead), user)
    client = _english(client_a, sales)

    page = client.get(f"/deals/leads/{lead.pk}/")
    won = client.post(f"/deals/leads/{lead.pk}/close/", {"outcome": "won"}, follow=True)
    lead.refresh_from_db()

    assert page.context["can_mark_outcome"] is True
    assert b'<option value="won">' in page.content
    assert lead.status == LeadStatus.CONVERTED
    assert f"Lead {lead.number}: Won.".encode() in won.content
    assert won.context["lead"].status == LeadStatus.CONVERTED


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ORDER_DESK])
def test_other_vendor_roles_look_but_cannot_act(client_a, geo, sales, gold, silver, role):
    lead = lead_for(sales, geo)
    client = _english(client_a, make_user(role))
    url = f"/deals/leads/{lead.pk}/"

    listing = client.get("/deals/leads/")
    detail = client.get(url)
    refused = [
        client.get("/deals/leads/new/").status_code,
        client.post("/deals/leads/new/", form_data(geo)).status_code,
        client.post(url + "route/").status_code,
        client.post(url + "offer/", {"partner": silver[0].pk}).status_code,
        client.post(url + "close/", {"outcome": "closed"}).status_code,
    ]
    lead.refresh_from_db()

    assert listing.status_code == detail.status_code == 200
    assert b"New lead" not in listing.content
    assert (detail.context["can_offer"], detail.context["can_close"]) == (False, False)
    assert detail.context["candidates"] == []
    assert refused == [403] * 5
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, gold[0])
    assert Lead.objects.count() == 1


def test_the_list_filters_and_sums_up_conversion(client_a, geo, sales, gold):
    _partner, user = gold
    taken = lead_for(sales, geo, company_name="宁波港务集团")
    waiting = lead_for(sales, geo)
    offer_accept(open_offer(taken), user)
    LeadOffer.objects.filter(lead=waiting).update(respond_by=timezone.now() - timedelta(hours=2))
    client = _english(client_a, sales)

    def rows(**query: Any) -> list[Lead]:
        return list(client.get("/deals/leads/", query).context["page"].object_list)

    page = client.get("/deals/leads/")
    conversion = page.context["conversion"]

    assert set(rows()) == {taken, waiting}
    assert rows(status="accepted") == [taken]
    assert rows(q="宁波港务") == [taken]
    assert rows(q=waiting.number) == [waiting]
    assert rows(sla="overdue") == [waiting]
    assert rows(sla="waiting") == [waiting]
    assert rows(product_line=geo.cameras.pk) == []
    assert (conversion.offered, conversion.accepted, conversion.acceptance_rate) == (
        2,
        1,
        50,
    )
    assert b"Overdue" in page.content
    assert b"New lead" in page.content
    assert b"50.00%" in page.content


def test_lists_run_a_bounded_number_of_queries(client_a, geo, sales, gold):
    _partner, user = gold
    DealRules.objects.update_or_create(pk=1, defaults={"lead_capacity": 50})

    def count(who: Any, url: str) -> tuple[int, int]:
        client = _english(client_a, who)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    for _ in range(2):
        lead_for(sales, geo)
    vendor_few, portal_few = count(sales, "/deals/leads/"), count(user, "/portal/leads/")
    for _ in range(10):
        lead_for(sales, geo)
    vendor_many, portal_many = count(sales, "/deals/leads/"), count(user, "/portal/leads/")

    assert (vendor_few[1], vendor_many[1]) == (2, 12)
    assert (portal_few[1], portal_many[1]) == (2, 12)
    assert vendor_many[0] == vendor_few[0]
    assert portal_many[0] == portal_few[0]
    assert vendor_many[0] <= 16  # with the notification bell's unread count


# --- partner portal -----------------------------------------------------------------------------


def test_the_partner_accepts_and_is_sent_to_register_the_deal(client_a, geo, sales, gold):
    partner, user = gold
    lead = lead_for(sales, geo)
    client = _english(client_a, user)
    url = f"/portal/leads/{lead.pk}/"

    listing = client.get("/portal/leads/")
    before = client.get(url)
    accepted = client.post(url + "accept/")
    after = client.get(url)
    lead.refresh_from_db()

    assert list(listing.context["page"].object_list) == [lead]
    assert before.status_code == 200
    assert before.context["can_answer"] is True
    assert b"Accept the lead" in before.content
    assert b"13800000000" not in before.content  # contact details only once accepted
    assert b"Register this deal" not in before.content
    assert accepted.status_code == 302
    assert accepted["Location"] == url
    assert (lead.status, lead.partner) == (LeadStatus.ACCEPTED, partner)
    assert after.context["can_answer"] is False
    assert b"13800000000" in after.content
    assert b"Accept the lead" not in after.content
    assert f'/portal/deals/new/?lead={lead.pk}"'.encode() in after.content


def test_declining_needs_a_reason_then_the_lead_moves_on(client_a, geo, sales, gold, silver):
    (_first, first_user), (second, second_user) = gold, silver
    lead = lead_for(sales, geo)
    client = _english(client_a, first_user)
    url = f"/portal/leads/{lead.pk}/"

    empty = client.post(url + "decline/", {"reason": " "}, follow=True)
    still = open_offer(lead).partner
    declined = client.post(url + "decline/", {"reason": "本月人手不足"})
    lead.refresh_from_db()
    gone = client.get(url)
    client_a.logout()
    theirs = _english(client_a, second_user).get(url)

    assert b"Say why you decline the lead." in empty.content
    assert still == gold[0]
    assert declined.status_code == 302
    assert declined["Location"] == "/portal/leads/"
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, second)
    assert LeadOffer.objects.get(lead=lead, partner=gold[0]).reason == "本月人手不足"
    assert gone.status_code == 404
    assert theirs.status_code == 200
    assert (
        "本月人手不足".encode() not in theirs.content
    )  # one partner's reasons stay with the vendor


def test_an_overdue_offer_shows_its_badge_and_a_late_answer_is_refused(client_a, geo, sales, gold):
    _partner, user = gold
    lead = lead_for(sales, geo)
    LeadOffer.objects.filter(lead=lead).update(respond_by=timezone.now() - timedelta(hours=1))
    client = _english(client_a, user)

    page = client.get(f"/portal/leads/{lead.pk}/")
    listing = client.get("/portal/leads/")
    with translation.override("en"):
        from deal_registration.leads import (
            offers_expire,
        )

        offers_expire()
    late = client.post(f"/portal/leads/{lead.pk}/accept/", follow=True)

    assert b"Overdue" in page.content
    assert b"Overdue" in listing.content
    assert late.status_code == 404  # no longer theirs
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNROUTED


def test_another_partner_gets_404_and_cannot_answer(client_a, geo, sales, gold, silver):
    lead = lead_for(sales, geo)
    client = _english(client_a, silver[1])
    url = f"/portal/leads/{lead.pk}/"

    answers = [
        client.get(url).status_code,
        client.post(url + "accept/").status_code,
        client.post(url + "decline/", {"reason": "抢单"}).status_code,
    ]
    listing = client.get("/portal/leads/")
    vendor_pages = [
        client.get("/deals/leads/").status_code,
        client.get(f"/deals/leads/{lead.pk}/").status_code,
        client.post(f"/deals/leads/{lead.pk}/route/").status_code,
    ]

    assert answers == [404, 404, 404]
    assert list(listing.context["page"].object_list) == []
    assert vendor_pages == [403, 403, 403]
    assert open_offer(lead).partner == gold[0]


# --- isolation ----------------------------------------------------------------------------------


def test_another_vendor_and_anonymous_get_nothing(client_a, client_b, geo, sales, gold):
    lead = lead_for(sales, geo)
    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))

    other_vendor = [
        client_b.get(f"/deals/leads/{lead.pk}/").status_code,
        client_b.post(f"/deals/leads/{lead.pk}/route/").status_code,
        client_b.post(f"/deals/leads/{lead.pk}/offer/", {"partner": gold[0].pk}).status_code,
        client_b.post(f"/deals/leads/{lead.pk}/close/", {"outcome": "closed"}).status_code,
    ]
    bravo_list = client_b.get("/deals/leads/")
    anonymous = [
        client_a.get(url)
        for url in (
            "/deals/leads/",
            "/deals/leads/new/",
            f"/deals/leads/{lead.pk}/",
            "/portal/leads/",
            f"/portal/leads/{lead.pk}/",
        )
    ]
    anonymous += [
        client_a.post(f"/deals/leads/{lead.pk}/route/"),
        client_a.post(f"/deals/leads/{lead.pk}/close/", {"outcome": "closed"}),
        client_a.post(f"/portal/leads/{lead.pk}/accept/"),
        client_a.post(f"/portal/leads/{lead.pk}/decline/", {"reason": "x"}),
    ]

    assert other_vendor == [404, 404, 404, 404]
    assert list(bravo_list.context["page"].object_list) == []
    assert bravo_list.context["conversion"].total == 0
    assert [r.status_code for r in anonymous] == [302] * 9
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    lead.refresh_from_db()
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, gold[0])


def test_a_channel_manager_sees_the_pool_and_its_own_partners_leads_only(
    client_a, geo, sales, gold, silver
):
    mine, theirs = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    gold_partner, gold_user = gold
    silver_partner, _silver_user = silver
    Partner.objects.filter(pk=gold_partner.pk).update(channel_manager=theirs)
    Partner.objects.filter(pk=silver_partner.pk).update(channel_manager=mine)
    # Offered to gold (higher tier) first; gold declines and it moves on to silver.
    lead = lead_for(sales, geo, company_name="杭州湖滨酒店有限公司")
    offer_decline(LeadOffer.objects.get(lead=lead, partner=gold_partner), gold_user, "太远")
    elsewhere = lead_for(sales, geo, company_name="杭州龙井茶园有限公司", route=False)
    lead_offer_to(elsewhere, gold_partner, sales)
    pool = lead_for(sales, geo, company_name="杭州新建酒店有限公司", route=False)
    client = _english(client_a, mine)

    listed = {row.pk for row in client.get("/deals/leads/?status=").context["page"]}
    detail = client.get(f"/deals/leads/{lead.pk}/").content.decode()
    hidden_one = client.get(f"/deals/leads/{elsewhere.pk}/")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lead_offer_to(pool, gold_partner, mine)

    assert listed == {lead.pk, pool.pk}
    assert hidden_one.status_code == 404
    assert gold_partner.name not in detail
    assert "太远" not in detail
    assert "Another channel manager&#x27;s partner" in detail or (
        "Another channel manager's partner" in detail
    )
    assert refused.value.message_dict == {
        "partner": ["A channel manager offers leads to its own partners only."]
    }
