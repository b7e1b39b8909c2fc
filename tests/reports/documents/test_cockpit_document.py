"""The cockpit as a document: the page's figures and tables for the user's filters, only for
vendor staff, and bad filters refused by name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils import translation

from reports.documents import document_build
from reports.models import ReportKind
from tests.reports.cockpit_fixture import Channel

from .conftest import NOVEMBER

pytestmark = pytest.mark.django_db


def build(user: Any, query: str = NOVEMBER, language: str = "en") -> Any:
    with translation.override(language):
        return document_build(ReportKind.COCKPIT, user, QueryDict(query))


def figures(doc: Any) -> dict[str, tuple[str, str]]:
    return {f.label: (f.value, f.note) for f in doc.figures}


def test_the_cockpit_document_holds_the_pages_figures(channel: Channel, vendor_admin: Any):
    doc = build(vendor_admin)

    assert (doc.title, doc.subtitle) == ("Channel cockpit", "2026-11")
    sales = {
        # (2997 - 500) / 500 = +499.4%; (2997 - 899) / 899 = +233.4%
        "Ordered": ("¥2,997.00", "MoM +499.4% · YoY +233.4%"),
        "Shipped": ("¥1,199.00", "MoM — · YoY —"),
        "Collected": ("¥1,000.00", "MoM +100.0% · YoY —"),
        "Active partners that ordered": ("66.7%", "2 of 3 active partners"),
        "Order to first shipment": ("271.3 h", "mean over 2 orders first shipped"),
    }
    assert {k: v for k, v in figures(doc).items() if k in sales} == sales
    # The channel figures follow, as on the page (their values are tested in figures/).
    assert list(figures(doc))[len(sales) :] == [
        "New partners",
        "Deal win rate",
        "Deal cycle",
        "Rebates accrued",
        "Market funds spent",
        "Training completion",
        "Sell-through rate",
        "Channel inventory days",
    ]
    tables = {t.key: t for t in doc.tables}
    assert list(tables) == [
        "trend",
        "areas",
        "provinces",
        "tiers",
        "product_lines",
        "top",
        "bottom",
    ]
    assert tables["provinces"].rows[0][:5] == [
        "Shanghai",
        2,
        Decimal("1798.00"),
        Decimal("899.00"),
        Decimal("1000.00"),
    ]


def test_filters_narrow_it_and_are_named_in_the_subtitle(channel: Channel, vendor_admin: Any):
    doc = build(vendor_admin, f"{NOVEMBER}&province=广东&product_line={channel.cables.pk}")

    assert doc.subtitle == "2026-11 · Guangdong · 线缆"
    assert figures(doc)["Ordered"][0] == "¥300.00"  # south's three cables
    assert figures(doc)["Collected"][1].endswith(
        "All product lines: money received does not split by line."
    )


def test_a_channel_manager_sees_only_his_partners(channel: Channel, people: dict[str, Any]):
    doc = build(people["manager"])

    assert figures(doc)["Ordered"][0] == "¥1,199.00"  # south only
    assert [row[0] for row in {t.key: t for t in doc.tables}["top"].rows] == [
        channel.south.display_name
    ]


def test_names_are_in_the_readers_language(channel: Channel, vendor_admin: Any):
    query = f"{NOVEMBER}&province=广东"
    chinese, english = build(vendor_admin, query, "zh-hans"), build(vendor_admin, query, "en")

    assert (chinese.subtitle, english.subtitle) == ("2026-11 · 广东", "2026-11 · Guangdong")
    assert [f.value for f in chinese.figures][:3] == ["¥1,199.00", "¥300.00", "¥0.00"]


def test_partner_users_and_strangers_are_refused(channel: Channel, people: dict[str, Any]):
    for user in (people["east_admin"], None):
        with pytest.raises(PermissionDenied):
            build(user)
    people["finance"].is_active = False
    with pytest.raises(PermissionDenied):
        build(people["finance"])


def test_a_partner_outside_the_users_sight_is_a_named_error(
    channel: Channel, people: dict[str, Any]
):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        build(people["manager"], f"partner={channel.east.pk}")

    assert refused.value.messages == [
        "Partner: Select a valid choice. That choice is not one of the available choices."
    ]
