"""The cockpit's new partners, against a list worked out by hand.

March 2026 (Asia/Shanghai). The manager's partners, with their moves to active back-dated:

* N1: active since 03-03 10:00: new.
* N2: active on 03-31 23:30: new (the last half hour of March).
* OLD: active since 02-28 23:59, suspended on 03-05 and active again on 03-10: not new (its
  first move to active was in February).
* APR: active on 04-01 00:00: new in April, not in March.
* WAIT: still applied: never active.

OUT (another manager's) became active on 03-10: new, but not on this cockpit.
March over the manager's partners: N1, N2 → 2.
"""

from __future__ import annotations

import pytest

from partners.models import Partner, PartnerStatus, PartnerStatusChange
from partners.selectors import partners_visible_to
from partners.services import partner_set_status
from prm.accounts.roles import Role
from reports.channel_figures import new_partner_list, new_partners
from tests.factories import make_partner, make_user

from .conftest import local, month

pytestmark = pytest.mark.django_db

MARCH = month(2026, 3)


def _moves(partner: Partner, *moments) -> None:
    """Back-date the partner's moves to active, oldest first."""
    changes = PartnerStatusChange.objects.filter(
        partner=partner, to_status=PartnerStatus.ACTIVE
    ).order_by("created_at", "pk")
    assert changes.count() == len(moments)
    for change, at in zip(changes, moments, strict=True):
        PartnerStatusChange.objects.filter(pk=change.pk).update(created_at=at)


@pytest.fixture
def world(vendor, manager) -> dict[str, Partner]:
    found = {
        "N1": make_partner(channel_manager=manager),
        "N2": make_partner(channel_manager=manager),
        "OLD": make_partner(channel_manager=manager),
        "APR": make_partner(channel_manager=manager),
        "WAIT": make_partner(channel_manager=manager, status=PartnerStatus.APPLIED),
        "OUT": make_partner(channel_manager=make_user(Role.CHANNEL_MANAGER)),
    }
    partner_set_status(partner=found["OLD"], status=PartnerStatus.SUSPENDED, reason="逾期")
    partner_set_status(partner=found["OLD"], status=PartnerStatus.ACTIVE, reason="已还款")
    _moves(found["N1"], local(2026, 3, 3, 10))
    _moves(found["N2"], local(2026, 3, 31, 23, 30))
    _moves(found["OLD"], local(2026, 2, 28, 23, 59), local(2026, 3, 10, 9))
    _moves(found["APR"], local(2026, 4, 1, 0, 0))
    _moves(found["WAIT"])
    _moves(found["OUT"], local(2026, 3, 10, 9))
    return found


def test_new_partners_of_a_month(world, manager, django_assert_num_queries):
    partners = partners_visible_to(manager)

    with django_assert_num_queries(1):
        count = new_partners(partners=partners, period=MARCH)

    assert count == 2
    assert new_partners(partners=partners, period=month(2026, 4)) == 1  # APR
    assert new_partners(partners=partners, period=month(2026, 2)) == 1  # OLD
    assert new_partners(partners=Partner.objects.filter(pk=world["OUT"].pk), period=MARCH) == 1
    assert new_partners(partners=Partner.objects.none(), period=MARCH) == 0


def test_the_figure_drills_down_to_the_new_partners(world, manager):
    listed = new_partner_list(partners=partners_visible_to(manager), period=MARCH)

    assert [(p.pk, p.activated_at) for p in listed] == [
        (world["N1"].pk, local(2026, 3, 3, 10)),
        (world["N2"].pk, local(2026, 3, 31, 23, 30)),
    ]
