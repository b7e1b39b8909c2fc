"""The "My report subscriptions" pages in both portals: the list, add (prefilled by a
dashboard's Subscribe button), edit, pause, resume, delete; the dashboards' PDF / Subscribe
buttons; only the owner reaches a subscription."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django_tenants.utils import schema_context

from prm.accounts.roles import Role
from reports.models import ReportSubscription
from tests.conftest import login
from tests.factories import make_user
from tests.reports.cockpit_fixture import Channel

pytestmark = pytest.mark.django_db

URL = "/reports/subscriptions/"


def fresh(user: Any = None, host: str = "alpha.localhost") -> Client:
    client = Client(HTTP_HOST=host)
    return login(client, user) if user is not None else client


def english(user: Any) -> Any:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def subscribe(user: Any, kind: str = "cockpit", query: str = "area=east") -> ReportSubscription:
    return ReportSubscription.objects.create(
        user=user, kind=kind, frequency="weekly", weekday=2, query=query
    )


def templates(response: Any) -> set[str]:
    return {t.name for t in response.templates}


def test_the_dashboards_buttons_link_the_pdf_and_the_prefilled_subscription():
    html = render_to_string(
        "reports/_document_actions.html", {"kind": "cockpit", "query": "period=month&area=east"}
    )

    assert 'href="/reports/documents/cockpit.pdf?period=month&amp;area=east"' in html
    assert (
        'href="/reports/subscriptions/new/?kind=cockpit&amp;query=period%3Dmonth%26area%3Deast"'
        in html
    )


def test_subscribe_from_the_cockpit(channel: Channel, vendor_admin: Any):
    client = fresh(english(vendor_admin))

    page = client.get(f"{URL}new/", {"kind": "cockpit", "query": "period=quarter&on=2026-11-15"})
    saved = client.post(
        f"{URL}new/",
        {"kind": "cockpit", "frequency": "monthly", "day_of_month": "3", "query": "period=quarter"},
    )

    assert page.status_code == 200
    assert "vendor/base.html" in templates(page)
    form = page.context["form"]
    assert (form.initial["kind"], form.initial["query"]) == ("cockpit", "period=quarter")
    assert saved.status_code == 302
    assert saved["Location"] == URL
    subscription = ReportSubscription.objects.get()
    assert (subscription.user, subscription.frequency, subscription.day_of_month) == (
        vendor_admin,
        "monthly",
        3,
    )


def test_bad_filters_show_at_the_field_and_nothing_is_saved(channel: Channel, vendor_admin: Any):
    response = fresh(english(vendor_admin)).post(
        f"{URL}new/",
        {"kind": "cockpit", "frequency": "weekly", "weekday": "0", "query": "area=atlantis"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "query": ["Area: Select a valid choice. atlantis is not one of the available choices."]
    }
    assert not ReportSubscription.objects.exists()


def test_a_partner_user_has_the_pages_in_the_portal_with_the_scoreboard_only(
    channel: Channel, people: dict[str, Any], scoreboard: None
):
    client = fresh(english(people["east_admin"]))

    page = client.get(f"{URL}new/", {"kind": "cockpit"})
    refused = client.post(f"{URL}new/", {"kind": "cockpit", "frequency": "weekly", "weekday": "0"})
    saved = client.post(
        f"{URL}new/", {"kind": "scoreboard", "frequency": "weekly", "weekday": "4", "query": ""}
    )
    listed = client.get(URL)

    assert "portal/base.html" in templates(page)
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == [
        "scoreboard"
    ]
    assert "kind" not in page.context["form"].initial  # the cockpit is not offered
    assert list(refused.context["form"].errors) == ["kind"]
    assert saved.status_code == 302
    assert "portal/base.html" in templates(listed)
    assert [row[0].kind for row in listed.context["rows"]] == ["scoreboard"]
    assert listed.context["rows"][0][2] == "/reports/documents/scoreboard.pdf"


def test_the_owner_edits_pauses_resumes_and_deletes(channel: Channel, vendor_admin: Any):
    subscription = subscribe(vendor_admin)
    client = fresh(english(vendor_admin))

    page = client.get(f"{URL}{subscription.pk}/")
    client.post(
        f"{URL}{subscription.pk}/",
        {"kind": "forecast", "frequency": "weekly", "weekday": "5", "query": "province=广东"},
    )
    subscription.refresh_from_db()
    edited = (subscription.kind, subscription.weekday, subscription.query)
    client.post(f"{URL}{subscription.pk}/pause/")
    paused = ReportSubscription.objects.get().is_active
    client.post(f"{URL}{subscription.pk}/resume/")
    resumed = ReportSubscription.objects.get().is_active
    client.post(f"{URL}{subscription.pk}/delete/")

    assert page.context["form"].initial["query"] == "area=east"
    assert page.context["preview_url"] == "/reports/documents/cockpit.pdf?area=east"
    assert edited == ("cockpit", 5, "province=%E5%B9%BF%E4%B8%9C")  # the report stays
    assert (paused, resumed) == (False, True)
    assert not ReportSubscription.objects.exists()


def test_nobody_else_reaches_a_subscription(
    channel: Channel, people: dict[str, Any], vendor_admin: Any, client_b: Client
):
    subscription = subscribe(people["finance"])
    pk = subscription.pk
    calls = [
        ("get", f"{URL}{pk}/", {}),
        ("post", f"{URL}{pk}/", {"frequency": "monthly", "day_of_month": "9", "query": ""}),
        ("post", f"{URL}{pk}/pause/", {}),
        ("post", f"{URL}{pk}/resume/", {}),
        ("post", f"{URL}{pk}/delete/", {}),
    ]

    def statuses(client: Client) -> list[int]:
        return [getattr(client, method)(url, data).status_code for method, url, data in calls]

    anonymous = [getattr(fresh(), m)(u, d) for m, u, d in calls]
    colleague = statuses(fresh(vendor_admin))
    partner = statuses(fresh(people["east_admin"]))
    colleague_list = fresh(vendor_admin).get(URL)
    with schema_context("bravo"):
        login(client_b, make_user(Role.ADMIN))
    bravo = statuses(client_b)

    assert all(r.status_code == 302 for r in anonymous)
    assert all(r["Location"].startswith("/accounts/login/?next=/reports/") for r in anonymous)
    assert colleague == partner == bravo == [404] * 5
    assert colleague_list.context["rows"] == []
    with schema_context("alpha"):  # the bravo requests left the connection in bravo's schema
        subscription.refresh_from_db()
    assert (subscription.is_active, subscription.frequency, subscription.weekday) == (
        True,
        "weekly",
        2,
    )


def test_the_list_reads_a_bounded_number_of_queries(
    channel: Channel, vendor_admin: Any, django_assert_max_num_queries: Any
):
    client = fresh(vendor_admin)
    subscribe(vendor_admin)
    with django_assert_max_num_queries(12) as one:
        client.get(URL)
    for n in range(12):
        subscribe(vendor_admin, query=f"tier={n}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(URL)

    assert len(response.context["rows"]) == 13
