"""The partner search behind the filters' search boxes: what it finds, and for whom."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from partners.search import SEARCH_LIMIT
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_credit_code, make_partner, make_user

SEARCH = "/partners/search/"


def _labels(client: Client, text: str) -> list[str]:
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 200
    return [r["label"] for r in response.json()["results"]]


def test_finds_by_either_name_or_the_credit_code(
    in_a: Any, client_a: Client, vendor_admin: Any
) -> None:
    east = make_partner(name="杭州东方电气有限公司", name_en="Hangzhou Orient Electric")
    make_partner(name="成都西部科技有限公司", name_en="Chengdu West Tech")
    coded = make_partner(name="武汉中部贸易有限公司", credit_code=make_credit_code(41))
    client = login(client_a, vendor_admin)
    assert _labels(client, "东方") == ["杭州东方电气有限公司"]
    assert client.get(SEARCH, {"q": "orient"}).json()["results"] == [
        {"id": east.pk, "label": "杭州东方电气有限公司"}
    ]
    assert _labels(client, coded.credit_code.lower()) == ["武汉中部贸易有限公司"]
    assert _labels(client, "no such partner") == []


def test_gives_at_most_the_limit_by_name_and_tells_shared_names_apart(
    in_a: Any, client_a: Client, vendor_admin: Any
) -> None:
    for n in range(SEARCH_LIMIT + 3):
        make_partner(name=f"批量渠道{n:02d}有限公司")
    twin_a = make_partner(name="同名贸易有限公司", credit_code=make_credit_code(51))
    twin_b = make_partner(name="同名贸易有限公司", credit_code=make_credit_code(52))
    client = login(client_a, vendor_admin)
    labels = _labels(client, "批量渠道")
    assert labels == [f"批量渠道{n:02d}有限公司" for n in range(SEARCH_LIMIT)]
    assert sorted(_labels(client, "同名")) == sorted(
        [f"同名贸易有限公司 ({twin_a.credit_code})", f"同名贸易有限公司 ({twin_b.credit_code})"]
    )


def test_a_channel_manager_finds_only_his_partners(in_a: Any, client_a: Client) -> None:
    manager = make_user(Role.CHANNEL_MANAGER)
    mine = make_partner(name="华东甲渠道有限公司", channel_manager=manager)
    make_partner(name="华东乙渠道有限公司")
    client = login(client_a, manager)
    assert client.get(SEARCH, {"q": "华东"}).json()["results"] == [
        {"id": mine.pk, "label": "华东甲渠道有限公司"}
    ]


def test_closed_to_partner_users_anonymous_and_other_vendors(
    in_a: Any, client_a: Client, client_b: Client, tenant_b: Any
) -> None:
    partner = make_partner(name="隔离测试渠道有限公司")
    client = login(client_a, make_user(Role.PARTNER_ADMIN, partner=partner))
    assert client.get(SEARCH, {"q": "隔离"}).status_code == 403
    client.logout()
    anonymous = client_a.get(SEARCH, {"q": "隔离"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    connection.set_tenant(tenant_b)
    from prm.accounts.models import User

    other = login(client_b, User.objects.get(email="admin@bravo.test"))
    assert other.get(SEARCH, {"q": "隔离"}).json() == {"results": []}
