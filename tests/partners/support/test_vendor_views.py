"""Tickets in the vendor portal over HTTP: the queue and its filters, the whole timeline with
internal notes, reply, note, assign, resolve and the knowledge-base button."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from partners.knowledge.models import Article
from partners.support.models import Ticket, TicketMessage, TicketStatus
from partners.support.replies import ticket_reply
from partners.support.sla import sla_check
from partners.support.tickets import ticket_resolve
from prm.accounts.roles import Role
from tests.conftest import login
from tests.deal_registration.deals import register
from tests.factories import make_order, make_product, make_user

from .conftest import png, submit
from .test_portal_views import feedback

pytestmark = pytest.mark.django_db


def english(client: Client, user: Any) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def numbers(response: Any) -> list[str]:
    return [t.number for t in response.context["page"].object_list]


def test_urls_are_mounted_where_the_pages_expect(in_a):
    assert reverse("support:queue") == "/support/"
    assert reverse("support:detail", args=[7]) == "/support/7/"
    assert reverse("support:attachment", args=[7]) == "/support/files/7/"


def test_the_queue_puts_the_nearest_due_first_and_filters(client_a, world, vendor_admin):
    normal = submit(world, subject="普通问题")
    urgent = submit(world, subject="紧急问题", priority="urgent", category="order")
    done = submit(world, subject="已解决")
    ticket_resolve(done, user=world["manager"], resolution="好了")
    elsewhere = submit(world, user=world["other_admin"], subject="别家")
    Ticket.objects.filter(pk=elsewhere.pk).update(owner=vendor_admin)
    late = submit(world, subject="已超时")
    Ticket.objects.filter(pk=late.pk).update(
        first_response_due=late.submitted_at - timedelta(hours=1)
    )
    sla_check()
    client = login(client_a, world["manager"])

    everything = client.get("/support/")
    orders = client.get("/support/", {"category": "order"})
    active = client.get("/support/", {"status": "active"})
    mine = client.get("/support/", {"show": "mine"})
    overdue = client.get("/support/", {"show": "overdue"})
    breached = client.get("/support/", {"show": "breached"})
    search = client.get("/support/", {"q": "紧急"})
    admins = login(client_a, vendor_admin).get("/support/", {"show": "mine"})

    # The manager sees his partner's tickets, not the other partner's (owned by the admin).
    assert numbers(everything) == [late.number, urgent.number, normal.number, done.number]
    assert numbers(orders) == [urgent.number]
    assert numbers(active) == [late.number, urgent.number, normal.number]
    assert numbers(mine) == numbers(everything)
    assert numbers(overdue) == [late.number]
    assert numbers(breached) == [late.number]
    assert numbers(search) == [urgent.number]
    assert numbers(admins) == [elsewhere.number]
    assert everything.context["overdue_count"] == 1
    assert "SLA breached" in english(client_a, world["manager"]).get("/support/").content.decode()


def test_the_owner_sees_a_ticket_assigned_to_them_outside_their_partners(client_a, world):
    ticket = submit(world, user=world["other_admin"])
    client = login(client_a, world["manager"])

    before = client.get(f"/support/{ticket.pk}/").status_code
    Ticket.objects.filter(pk=ticket.pk).update(owner=world["manager"])
    after = client.get(f"/support/{ticket.pk}/").status_code

    assert (before, after) == (404, 200)


def test_the_vendor_page_shows_internal_notes_and_replies_through_it(client_a, world):
    ticket = submit(world)
    ticket_reply(ticket, user=world["sales"], body="内部：同批次已有三起", internal=True)
    client = english(client_a, world["manager"])

    page = client.get(f"/support/{ticket.pk}/").content.decode()
    asked = client.post(
        f"/support/{ticket.pk}/reply/",
        {"kind": "ask", "body": "请拍一张铭牌照片。", "attachments": [png()]},
    )
    noted = client.post(f"/support/{ticket.pk}/reply/", {"kind": "note", "body": "已联系研发"})
    empty = client.post(f"/support/{ticket.pk}/reply/", {"kind": "reply", "body": ""})

    ticket.refresh_from_db()
    assert "内部：同批次已有三起" in page
    assert "Internal note" in page
    assert asked.status_code == noted.status_code == 302
    assert feedback(empty, "body") == ["This field is required."]
    assert ticket.status == TicketStatus.WAITING
    assert list(
        TicketMessage.objects.filter(ticket=ticket).order_by("pk").values_list("body", "internal")
    ) == [("内部：同批次已有三起", True), ("请拍一张铭牌照片。", False), ("已联系研发", True)]


def test_assign_and_resolve_through_the_page(client_a, world):
    ticket = submit(world)
    helper = make_user(Role.SALES, full_name="技术支持王工")
    client = english(client_a, world["manager"])

    same = client.post(f"/support/{ticket.pk}/assign/", {"owner": world["manager"].pk})
    assigned = client.post(f"/support/{ticket.pk}/assign/", {"owner": helper.pk, "reason": "技术"})
    no_text = login(client_a, helper).post(f"/support/{ticket.pk}/resolve/", {"resolution": ""})
    resolved = client_a.post(f"/support/{ticket.pk}/resolve/", {"resolution": "更换电源模块"})

    ticket.refresh_from_db()
    assert feedback(same, "owner") == ["李经理 already owns this ticket."]
    assert assigned.status_code == resolved.status_code == 302
    assert no_text.status_code == 200
    assert (ticket.owner, ticket.status, ticket.resolution) == (helper, "resolved", "更换电源模块")


def test_the_article_button_makes_one_draft(client_a, world):
    ticket = submit(world)
    ticket_resolve(ticket, user=world["manager"], resolution="升级固件。")
    client = login(client_a, world["manager"])

    first = client.post(f"/support/{ticket.pk}/article/", {"category": ""})
    second = client.post(f"/support/{ticket.pk}/article/", {"category": ""})

    article = Article.objects.get()
    ticket.refresh_from_db()
    assert ticket.article == article
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/knowledge/{article.pk}/edit/"
    page = client.get(f"/support/{ticket.pk}/").content.decode()
    assert f'href="/knowledge/{article.pk}/edit/"' in page
    assert f'action="/support/{ticket.pk}/article/"' not in page
    # Who may not edit the knowledge base lands on the article's page.
    third = login(client_a, world["sales"]).post(f"/support/{ticket.pk}/article/", {})
    assert third["Location"] == f"/knowledge/{article.pk}/"


def test_an_owner_who_gives_away_a_ticket_they_only_owned_returns_to_the_queue(client_a, world):
    ticket = submit(world, user=world["other_admin"])  # not one of the manager's partners
    Ticket.objects.filter(pk=ticket.pk).update(owner=world["manager"])
    client = login(client_a, world["manager"])

    response = client.post(f"/support/{ticket.pk}/assign/", {"owner": world["sales"].pk})

    assert response["Location"] == "/support/"
    assert client.get(f"/support/{ticket.pk}/").status_code == 404


def test_links_to_the_partner_order_and_deal_only_for_who_may_open_them(
    client_a, world, vendor_admin
):
    order = make_order(world["other_partner"], (make_product(), 1))
    deal = register(world["other_admin"])
    ticket = submit(
        world, user=world["other_admin"], order_number=order.number, deal_number=deal.number
    )
    # The manager owns it but does not manage the partner: he opens the ticket, not the rest.
    Ticket.objects.filter(pk=ticket.pk).update(owner=world["manager"])
    links = [
        f'href="/partners/{world["other_partner"].pk}/"',
        f'href="/orders/{order.pk}/"',
        f'href="/deals/{deal.pk}/"',
    ]
    owner = login(Client(HTTP_HOST="alpha.localhost"), world["manager"])

    owner_page = owner.get(f"/support/{ticket.pk}/").content.decode()
    admin_page = login(client_a, vendor_admin).get(f"/support/{ticket.pk}/").content.decode()
    behind_links = [owner.get(link[6:-1]).status_code for link in links]

    assert [link in owner_page for link in links] == [False, False, False]
    assert (order.number in owner_page, deal.number in owner_page) == (True, True)
    assert [link in admin_page for link in links] == [True, True, True]
    assert behind_links == [404, 404, 404]
