"""The scoreboard as a document (PDF, scheduled email): a partner user's own figures whatever the
filters say; vendor staff name a partner they see with `?partner=`; no one else gets one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import translation

import reports.scoreboard_document  # noqa: F401  (registers the builder)
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.documents import document_build
from reports.models import ReportKind
from tests.factories import make_user

pytestmark = pytest.mark.django_db

D = Decimal


def _build(user, query: str = ""):
    with translation.override("en"):
        return document_build(ReportKind.SCOREBOARD, user, QueryDict(query))


def _figures(document) -> dict[str, tuple[str, str]]:
    return {f.label: (f.value, f.note) for f in document.figures}


def test_a_partner_user_gets_its_own_scoreboard_with_figures_and_both_tables(world):
    document = _build(world.dealer)

    assert document.title == "Partner scoreboard"
    assert document.subtitle == "East China Smart Tech · 2026"
    figures = _figures(document)
    assert figures["Purchases 2026 to date"] == ("¥12,000.00", "same months of 2025: ¥7,000.00")
    assert figures["Growth on the same months last year"] == ("71.4%", "")
    assert figures["Target 2026"] == ("¥22,500.00", "achieved 53.3%; ¥10,500.00 still to go")
    assert figures["This quarter (Q2)"] == ("66.7%", "¥6,000.00 of ¥9,000.00")
    assert figures["Rebate basis: Quarterly purchase rebate"] == (
        "¥600,000.00",
        "¥400,000.00 more reaches the next band (1,000,000 – ∞: 5%)",
    )
    assert figures["Market funds available"] == ("¥7,500.00", "")
    assert figures["People certified"] == ("2 / 3", "1 certificate expires within 30 days")
    assert figures["Tier"] == ("Silver", "score 80.00")
    assert figures["Next tier"] == ("Platinum", "5.00 more points needed")
    assert [t.key for t in document.tables] == ["purchases", "targets"]
    assert document.tables[1].rows[1] == [
        "2026 Q2",
        D("9000.00"),
        D("6000.00"),
        D("0.6667"),
        D("3000.00"),
    ]


def test_a_partner_user_cannot_name_another_partner(world):
    document = _build(world.stranger, f"partner={world.mine.pk}&year=2025")

    assert document.subtitle == "西湖安防设备有限公司 · 2025"
    assert _figures(document)["Purchases 2025 to date"][0] == "¥0.00"


def test_vendor_staff_name_a_partner_they_see(world):
    admin = User.objects.get(email="admin@alpha.test")

    by_admin = _build(admin, f"partner={world.mine.pk}&year=2025")
    by_manager = _build(world.manager, f"partner={world.mine.pk}")

    assert by_admin.subtitle == "East China Smart Tech · 2025"
    assert _figures(by_admin)["Purchases 2025 to date"][0] == "¥11,000.00"
    assert _figures(by_manager)["Purchases 2026 to date"][0] == "¥12,000.00"


@pytest.mark.parametrize("query", ["", "partner=", "partner=abc", "partner=0"])
def test_vendor_staff_without_a_partner_get_nothing(world, query):
    with pytest.raises(PermissionDenied):
        _build(world.manager, query)


def test_a_channel_manager_gets_nothing_of_another_managers_partner(world):
    with pytest.raises(PermissionDenied):
        _build(world.other_manager, f"partner={world.mine.pk}")


def test_inactive_users_get_nothing(world):
    User.objects.filter(pk=world.dealer.pk).update(is_active=False)
    world.dealer.refresh_from_db()
    sales = make_user(Role.SALES)
    User.objects.filter(pk=sales.pk).update(is_active=False)
    sales.refresh_from_db()

    for user in (world.dealer, sales):
        with pytest.raises(PermissionDenied):
            _build(user, f"partner={world.mine.pk}")
