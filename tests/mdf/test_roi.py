"""The MDF ROI report: spend, committed funds, results and attributed revenue per activity,
activity type, region, partner and period, checked against totals worked out by hand; each deal
and order is credited once; visibility, roles, tenants, the CSV and the query count.

The world (all amounts CNY; P1 and P2 in 上海, P3 in 广东; manager M1 owns P1 and P2, M2 owns P3):

=====  ===  ==========  ==========  ========  ================================================
req    who  type        ends on     approved  claim
=====  ===  ==========  ==========  ========  ================================================
R1     P1   seminar     2026-03-12  10000.00  C1 approved 8000.00 of 9000.00, settled; 30 leads,
                                              4 new customers, 150000.00 reported; links won
                                              D1 60000.00, O1 20000.00 (fulfils D1), O2 12000.00
R2     P1   exhibition  2026-04-20  20000.00  C2 approved 12000.00 of 15000.00; 50, 6,
                                              300000.00; links O2 (C1's already), O3 25001.00,
                                              O4 8000.00 cancelled, O9 9000.00 (fulfils D1, C1's
                                              deal), won D2 45000.00, D3 99000.00 (not won)
R3     P2   seminar     2026-03-21  5000.00   C3a rejected (99 leads, links O5 7000.00); C3b
                                              approved 4000.00; 10, 1, 40000.00; links O6
                                              3000.00 (still submitted)
R4     P3   exhibition  2026-05-06  30000.00  C4 approved 24000.00 in full, settled; 40, 5,
                                              200000.00; links won D4 90000.00 and O8 6000.00
R5     P3   seminar     2026-06-10  8000.00   none: committed (fund F2)
R6     P2   exhibition  2026-06-16  6000.00   C6 submitted (7 leads): committed
R7     P1   seminar     2026-07-01  (asked)   none, still waiting for approval: not in the report
=====  ===  ==========  ==========  ========  ================================================

Attributed: C1 = D1 60000 + O2 12000 = 72000.00; C2 = O3 25001 + D2 45000 = 70001.00;
C3b = 0.00; C4 = D4 90000 + O8 6000 = 96000.00.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from deal_registration.models import DealRegistration
from deal_registration.registrations import registration_approve, registration_close
from mdf.claims import InvoiceIn, claim_approve, claim_reject, claim_submit
from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType, MdfClaim, MdfRequest
from mdf.requests import request_approve, request_save, request_submit
from mdf.roi import RoiLine, RoiReport, roi_report
from mdf.settlement import claim_settle
from orders.models import Order
from orders.workflow import order_approve, order_cancel
from partners.models import Partner
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.deal_registration.deals import register
from tests.factories import make_order, make_partner, make_product, make_user

from .test_ledger import make_fund

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/mdf/roi/"

# (activities, spend, committed, leads, new customers, reported revenue, attributed revenue,
#  ROI, revenue per 1): worked out by hand from the table in the module docstring.
Numbers = tuple[int, Decimal, Decimal, int, int, Decimal, Decimal, Decimal | None, Decimal | None]

# fmt: off
BY_ACTIVITY: dict[str, Numbers] = {
    # (72000 - 8000) / 8000 = 8; 72000 / 8000 = 9
    "R1": (1, D("8000.00"), D("0.00"), 30, 4, D("150000.00"),
           D("72000.00"), D("8.0000"), D("9.0000")),
    # (0 - 4000) / 4000 = -1; 0 / 4000 = 0
    "R3": (1, D("4000.00"), D("0.00"), 10, 1, D("40000.00"),
           D("0.00"), D("-1.0000"), D("0.0000")),
    # 58001 / 12000 = 4.83341666… → 4.8334; 70001 / 12000 = 5.83341666… → 5.8334
    "R2": (1, D("12000.00"), D("0.00"), 50, 6, D("300000.00"),
           D("70001.00"), D("4.8334"), D("5.8334")),
    # 72000 / 24000 = 3; 96000 / 24000 = 4
    "R4": (1, D("24000.00"), D("0.00"), 40, 5, D("200000.00"),
           D("96000.00"), D("3.0000"), D("4.0000")),
    # nothing spent: no ratio
    "R5": (1, D("0.00"), D("8000.00"), 0, 0, D("0.00"),
           D("0.00"), None, None),
    "R6": (1, D("0.00"), D("6000.00"), 0, 0, D("0.00"),
           D("0.00"), None, None),
}
BY_TYPE: dict[str, Numbers] = {
    # R2, R4, R6: 130001 / 36000 = 3.61113888… → 3.6111; 166001 / 36000 = 4.61113888… → 4.6111
    "exhibition": (3, D("36000.00"), D("6000.00"), 90, 11, D("500000.00"),
                   D("166001.00"), D("3.6111"), D("4.6111")),
    # R1, R3, R5: 60000 / 12000 = 5; 72000 / 12000 = 6
    "seminar": (3, D("12000.00"), D("8000.00"), 40, 5, D("190000.00"),
                D("72000.00"), D("5.0000"), D("6.0000")),
}
BY_PARTNER: dict[str, Numbers] = {
    # R1 + R2: 122001 / 20000 = 6.10005 → 6.1001 half-up (half-even would give 6.1000);
    # 142001 / 20000 = 7.10005 → 7.1001
    "P1": (2, D("20000.00"), D("0.00"), 80, 10, D("450000.00"),
           D("142001.00"), D("6.1001"), D("7.1001")),
    # R3 + R6
    "P2": (2, D("4000.00"), D("6000.00"), 10, 1, D("40000.00"),
           D("0.00"), D("-1.0000"), D("0.0000")),
    # R4 + R5
    "P3": (2, D("24000.00"), D("8000.00"), 40, 5, D("200000.00"),
           D("96000.00"), D("3.0000"), D("4.0000")),
}
BY_REGION: dict[str, Numbers] = {
    # P1 + P2: 118001 / 24000 = 4.91670833… → 4.9167; 142001 / 24000 = 5.91670833… → 5.9167
    "上海": (4, D("24000.00"), D("6000.00"), 90, 11, D("490000.00"),
             D("142001.00"), D("4.9167"), D("5.9167")),
    # P3
    "广东": (2, D("24000.00"), D("8000.00"), 40, 5, D("200000.00"),
             D("96000.00"), D("3.0000"), D("4.0000")),
}
BY_MONTH: dict[str, Numbers] = {
    # R1 + R3: 60000 / 12000 = 5; 72000 / 12000 = 6
    "2026-03": (2, D("12000.00"), D("0.00"), 40, 5, D("190000.00"),
                D("72000.00"), D("5.0000"), D("6.0000")),
    "2026-04": (1, D("12000.00"), D("0.00"), 50, 6, D("300000.00"),
                D("70001.00"), D("4.8334"), D("5.8334")),
    "2026-05": (1, D("24000.00"), D("0.00"), 40, 5, D("200000.00"),
                D("96000.00"), D("3.0000"), D("4.0000")),
    # R5 + R6: committed only
    "2026-06": (2, D("0.00"), D("14000.00"), 0, 0, D("0.00"),
                D("0.00"), None, None),
}
BY_QUARTER: dict[str, Numbers] = {
    "2026 Q1": (2, D("12000.00"), D("0.00"), 40, 5, D("190000.00"),
                D("72000.00"), D("5.0000"), D("6.0000")),
    # R2 + R4 + R5 + R6: 130001 / 36000 → 3.6111; 166001 / 36000 → 4.6111
    "2026 Q2": (4, D("36000.00"), D("14000.00"), 90, 11, D("500000.00"),
                D("166001.00"), D("3.6111"), D("4.6111")),
}
# 190001 / 48000 = 3.95835416… → 3.9584; 238001 / 48000 = 4.95835416… → 4.9584
TOTAL: Numbers = (6, D("48000.00"), D("14000.00"), 130, 16, D("690000.00"),
                  D("238001.00"), D("3.9584"), D("4.9584"))
# fmt: on


def numbers(line: RoiLine) -> Numbers:
    return (
        line.activities,
        line.spend,
        line.committed,
        line.leads,
        line.new_customers,
        line.reported_revenue,
        line.attributed_revenue,
        line.roi,
        line.revenue_per_unit,
    )


def table(report: RoiReport, names: dict[str, str] | None = None) -> dict[str, Numbers]:
    """The report's lines by key (translated to R1…/P1… through `names`), exactly."""
    names = names or {}
    return {names.get(line.key, line.key): numbers(line) for line in report.lines}


# --- the world --------------------------------------------------------------------------------


def _order(partner: Partner, price: str, admin: User, *, status: str = "approved") -> Order:
    order = make_order(partner, (make_product(price), 1))
    assert order.total == D(price)
    if status == "approved":
        order_approve(order=order, actor=admin)
    elif status == "cancelled":
        order_cancel(order=order, actor=admin, reason="客户取消")
    order.refresh_from_db()
    assert order.status == status
    return order


def _deal(dealer: User, name: str, amount: str, admin: User, **close: Any) -> DealRegistration:
    registration = register(dealer, customer_name=name, estimated_amount=D(amount))
    registration = registration_approve(registration, actor=admin, reason="测试")
    if close:
        registration_close(registration, actor=dealer, **close)
    registration.refresh_from_db()
    return registration


class World:
    """The table of the module docstring, made through the MDF, order and deal services."""

    def __init__(self, admin: User) -> None:
        self.admin = admin
        self.finance = make_user(Role.FINANCE)
        self.m1 = make_user(Role.CHANNEL_MANAGER)
        self.m2 = make_user(Role.CHANNEL_MANAGER)
        self.fund = make_fund("500000.00", code="mdf-2026")
        self.f2 = make_fund(code="mdf-2026-q2")
        self.seminar = MdfActivityType.objects.create(code="seminar", name="研讨会")
        self.exhibition = MdfActivityType.objects.create(
            code="exhibition", name="展会", name_en="Exhibition"
        )
        self.partners: dict[str, Partner] = {}
        self.dealers: dict[str, User] = {}
        for key, name, region, manager in (
            ("P1", "华东电子有限公司", "上海", self.m1),
            ("P2", "申城科技有限公司", "上海", self.m1),
            ("P3", "岭南数码有限公司", "广东", self.m2),
        ):
            partner = make_partner(name=name, region=region)
            Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
            partner.refresh_from_db()
            onboarding_complete_all(partner=partner)
            fund_allocate(self.fund, partner, D("60000.00"))
            fund_allocate(self.f2, partner, D("10000.00"))
            self.partners[key] = partner
            self.dealers[key] = make_user(Role.PARTNER_ADMIN, partner=partner)
        self.requests: dict[str, MdfRequest] = {}
        self.claims: dict[str, MdfClaim] = {}

    def request(
        self, key: str, who: str, kind: MdfActivityType, ends_on: date, amount: str, **kw: Any
    ) -> MdfRequest:
        partner, dealer = self.partners[who], self.dealers[who]
        request = request_save(
            MdfRequest(
                fund=kw.get("fund", self.fund),
                activity_type=kind,
                title=f"{key} 活动",
                starts_on=ends_on - timedelta(days=2),
                ends_on=ends_on,
                plan="计划",
            ),
            [("费用", D(amount))],
            user=dealer,
        )
        request = request_submit(request, user=dealer)
        if kw.get("approve", True):
            manager = self.m1 if partner.channel_manager_id == self.m1.pk else self.m2
            request = request_approve(request, user=manager)
        self.requests[key] = request
        return request

    def claim(self, key: str, request_key: str, invoiced: str, **kw: Any) -> MdfClaim:
        request = self.requests[request_key]
        claim = claim_submit(
            request,
            [InvoiceIn(f"INV-{key}", request.ends_on, D(invoiced), "某广告有限公司")],
            user=self.dealers[self._owner(request)],
            **kw,
        )
        self.claims[key] = claim
        return claim

    def _owner(self, request: MdfRequest) -> str:
        return next(k for k, p in self.partners.items() if p.pk == request.partner_id)

    def names(self) -> dict[str, str]:
        """Report keys → the names this test uses (R1…, P1…)."""
        found = {r.number: key for key, r in self.requests.items()}
        found.update({str(p.pk): key for key, p in self.partners.items()})
        return found


def build_world(admin: User) -> World:
    w = World(admin)
    p1, p3 = w.dealers["P1"], w.dealers["P3"]
    o1 = _order(w.partners["P1"], "20000.00", admin)
    o2 = _order(w.partners["P1"], "12000.00", admin)
    o3 = _order(w.partners["P1"], "25001.00", admin)
    o4 = _order(w.partners["P1"], "8000.00", admin, status="cancelled")
    o9 = _order(w.partners["P1"], "9000.00", admin)
    o5 = _order(w.partners["P2"], "7000.00", admin)
    o6 = _order(w.partners["P2"], "3000.00", admin, status="submitted")
    o8 = _order(w.partners["P3"], "6000.00", admin)
    d1 = _deal(p1, "北京星河智能制造有限公司", "60000.00", admin, won=True, orders=[o1, o9])
    d2 = _deal(p1, "苏州金鼎物流集团有限公司", "45000.00", admin, won=True)
    d3 = _deal(p1, "无锡蓝海医疗器械有限公司", "99000.00", admin)  # approved, not won
    d4 = _deal(p3, "广州南粤能源股份有限公司", "90000.00", admin, won=True)
    assert [d.status for d in (d1, d2, d3, d4)] == ["won", "won", "approved", "won"]

    w.request("R1", "P1", w.seminar, date(2026, 3, 12), "10000.00")
    w.request("R2", "P1", w.exhibition, date(2026, 4, 20), "20000.00")
    w.request("R3", "P2", w.seminar, date(2026, 3, 21), "5000.00")
    w.request("R4", "P3", w.exhibition, date(2026, 5, 6), "30000.00")
    w.request("R5", "P3", w.seminar, date(2026, 6, 10), "8000.00", fund=w.f2)
    w.request("R6", "P2", w.exhibition, date(2026, 6, 16), "6000.00")
    w.request("R7", "P1", w.seminar, date(2026, 7, 1), "3000.00", approve=False)

    c1 = w.claim(
        "C1", "R1", "9000.00", leads=30, new_customers=4, revenue=D("150000.00"),
        deals=[d1], orders=[o1, o2],
    )  # fmt: skip
    c2 = w.claim(
        "C2", "R2", "15000.00", leads=50, new_customers=6, revenue=D("300000.00"),
        deals=[d2, d3], orders=[o2, o3, o4, o9],
    )  # fmt: skip
    c3a = w.claim(
        "C3a", "R3", "5000.00", leads=99, new_customers=9, revenue=D("999999.00"), orders=[o5]
    )
    claim_reject(c3a, user=w.finance, reason="发票抬头不符")
    c3b = w.claim(
        "C3b", "R3", "4000.00", leads=10, new_customers=1, revenue=D("40000.00"), orders=[o6]
    )
    c4 = w.claim(
        "C4", "R4", "24000.00", leads=40, new_customers=5, revenue=D("200000.00"),
        deals=[d4], orders=[o8],
    )  # fmt: skip
    w.claim("C6", "R6", "6000.00", leads=7, new_customers=1, revenue=D("5000.00"))

    claim_approve(c1, user=w.finance, amount=D("8000.00"), reason="部分费用超标")
    claim_approve(c2, user=w.finance, amount=D("12000.00"), reason="部分费用超标")
    claim_approve(c3b, user=w.finance)
    claim_approve(c4, user=w.finance)
    claim_settle(c1, actor=w.finance)
    claim_settle(c4, actor=w.finance)
    # C2 links O2 too, but was created after C1: the order is C1's.
    assert MdfClaim.objects.get(pk=c1.pk).created_at < MdfClaim.objects.get(pk=c2.pk).created_at
    return w


@pytest.fixture
def world(vendor_admin: User, today: dict[str, date]) -> World:
    today["day"] = date(2026, 1, 1)  # claims are made before every deadline of the fixture
    return build_world(vendor_admin)


# --- the numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "period", "expected"),
    [
        ("activity", "month", BY_ACTIVITY),
        ("activity_type", "month", BY_TYPE),
        ("partner", "month", BY_PARTNER),
        ("region", "month", BY_REGION),
        ("period", "month", BY_MONTH),
        ("period", "quarter", BY_QUARTER),
    ],
)
def test_every_breakdown_matches_the_hand_computed_totals(world, group, period, expected):
    report = roi_report(user=world.admin, group=group, period=period)

    assert table(report, world.names()) == expected
    assert numbers(report.total) == TOTAL
    if group in ("activity", "activity_type", "period"):  # by date, code, period
        assert list(table(report, world.names())) == list(expected)


def test_spend_committed_and_results_follow_the_claim_decisions(world):
    lines = {line.key: line for line in roi_report(user=world.admin, group="activity").lines}
    number = {key: r.number for key, r in world.requests.items()}

    # R7 is waiting for approval: not in the report. R3's rejected claim (99 leads, O5) and
    # R6's claim in review (7 leads) count for nothing; R6 stays committed.
    assert number["R7"] not in lines
    assert (lines[number["R3"]].leads, lines[number["R3"]].spend) == (10, D("4000.00"))
    assert (lines[number["R6"]].leads, lines[number["R6"]].committed) == (0, D("6000.00"))
    assert str(lines[number["R1"]].roi_percent) == "800.00"
    assert lines[number["R1"]].label == f"{number['R1']} R1 活动"


def test_a_shared_order_goes_to_the_earliest_claim_then_the_lower_pk(world):
    c1, c2 = world.claims["C1"], world.claims["C2"]
    number = {key: r.number for key, r in world.requests.items()}

    def attributed() -> tuple[Decimal, Decimal]:
        lines = {line.key: line for line in roi_report(user=world.admin, group="activity").lines}
        return (
            lines[number["R1"]].attributed_revenue,
            lines[number["R2"]].attributed_revenue,
        )

    MdfClaim.objects.filter(pk=c2.pk).update(created_at=c1.created_at)
    same_time = attributed()
    MdfClaim.objects.filter(pk=c2.pk).update(created_at=c1.created_at - timedelta(seconds=1))
    c2_first = attributed()

    assert same_time == (D("72000.00"), D("70001.00"))  # C1 has the lower pk
    # O2 (12000.00) moves to C2: 60000 and 70001 + 12000
    assert c2_first == (D("60000.00"), D("82001.00"))


def test_filters_by_fund_activity_type_and_dates(world):
    names = world.names()
    by_fund = roi_report(user=world.admin, group="activity", fund=world.f2)
    by_type = roi_report(user=world.admin, group="partner", activity_type=world.seminar)
    # C1 (March) is outside the dates, yet keeps O2: C2's 70001.00 is unchanged.
    by_dates = roi_report(
        user=world.admin,
        group="activity",
        date_from=date(2026, 4, 1),
        date_to=date(2026, 5, 31),
    )

    assert table(by_fund, names) == {"R5": BY_ACTIVITY["R5"]}
    assert table(by_type, names) == {
        "P1": BY_ACTIVITY["R1"],
        "P2": BY_ACTIVITY["R3"],  # R6 is an exhibition
        "P3": BY_ACTIVITY["R5"],
    }
    assert table(by_dates, names) == {"R2": BY_ACTIVITY["R2"], "R4": BY_ACTIVITY["R4"]}
    # R2 + R4: 130001 / 36000 → 3.6111; 166001 / 36000 → 4.6111
    # fmt: off
    assert numbers(by_dates.total) == (2, D("36000.00"), D("0.00"), 90, 11, D("500000.00"),
                                       D("166001.00"), D("3.6111"), D("4.6111"))
    # fmt: on


def test_a_channel_manager_sees_only_his_partners(world):
    names = world.names()

    m1 = roi_report(user=world.m1, group="partner")
    m2 = roi_report(user=world.m2, group="region")

    assert table(m1, names) == {"P1": BY_PARTNER["P1"], "P2": BY_PARTNER["P2"]}
    # P1 + P2 = 上海
    assert numbers(m1.total) == BY_REGION["上海"]
    assert table(m2, names) == {"广东": BY_REGION["广东"]}


# --- the pages --------------------------------------------------------------------------------


def _english(client: Any, user: User) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def test_the_page_shows_the_table_with_its_total(client_a, world):
    client = _english(client_a, world.admin)

    response = client.get(URL, {"group": "partner"})
    html = response.content.decode()

    assert response.status_code == 200
    assert table(response.context["report"], world.names()) == BY_PARTNER
    assert numbers(response.context["report"].total) == TOTAL
    for text in ("华东电子有限公司", "¥142,001.00", "610.01%", "7.1001", "¥238,001.00", "395.84%"):
        assert text in html
    assert "Revenue per ¥1" in html


@pytest.mark.parametrize("role", [Role.MARKETING, Role.FINANCE])
def test_marketing_and_finance_see_every_partner(client_a, world, role):
    response = _english(client_a, make_user(role)).get(URL, {"group": "region"})

    assert response.status_code == 200
    assert numbers(response.context["report"].total) == TOTAL


def test_a_channel_manager_page_shows_only_his_partners(client_a, world):
    response = _english(client_a, world.m2).get(URL, {"group": "partner"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "岭南数码有限公司" in html
    assert "华东电子有限公司" not in html
    assert "申城科技有限公司" not in html
    assert numbers(response.context["report"].total) == BY_PARTNER["P3"]


def test_other_roles_get_403_and_anonymous_the_login_page(client_a, world):
    statuses = []
    for user in (
        make_user(Role.SALES),
        make_user(Role.ORDER_DESK),
        world.dealers["P1"],
    ):
        client = _english(client_a, user)
        statuses += [client.get(URL).status_code, client.get(URL + "export.csv").status_code]
        client.logout()
    anonymous = [client_a.get(URL), client_a.get(URL + "export.csv")]

    assert statuses == [403] * 6
    assert [r.status_code for r in anonymous] == [302, 302]
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)


def test_another_vendor_sees_none_of_it(client_b, world):
    with schema_context("bravo"):
        client_b.force_login(User.objects.get(email="admin@bravo.test"))

    page = client_b.get(URL, {"group": "activity"})
    with_a_fund = client_b.get(URL, {"group": "activity", "fund": world.fund.pk})
    export = client_b.get(URL + "export.csv", {"group": "partner"})

    assert page.status_code == 200
    assert page.context["report"].lines == []
    assert page.context["report"].total.spend == D("0.00")
    assert world.requests["R1"].number not in page.content.decode()
    assert with_a_fund.status_code == 200
    assert with_a_fund.context["report"] is None  # A's fund is not a choice here
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and the (empty) total
    assert rows[1][2:] == ["0", "0.00", "0.00", "0", "0", "0.00", "0.00", "", ""]


def test_bad_dates_are_refused_at_the_field(client_a, world):
    client = _english(client_a, world.admin)

    response = client.get(URL, {"date_from": "2026-06-01", "date_to": "2026-03-01"})
    export = client.get(URL + "export.csv", {"date_from": "2026-06-01", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors == {"date_to": ["The end cannot be before the start."]}
    assert "The end cannot be before the start." in response.content.decode()
    assert export.status_code == 400


def test_the_csv_export_is_the_same_table(client_a, world):
    client = _english(client_a, world.admin)

    response = client.get(URL + "export.csv", {"group": "activity_type"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="mdf-roi-activity_type.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Chinese
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # fmt: off
    assert rows == [
        ["Activity type", "Detail", "Activities", "Spend", "Committed", "Leads", "New customers",
         "Reported revenue", "Attributed revenue", "ROI %", "Revenue per ¥1"],
        ["Exhibition", "", "3", "36000.00", "6000.00", "90", "11", "500000.00", "166001.00",
         "361.11", "4.6111"],
        ["研讨会", "", "3", "12000.00", "8000.00", "40", "5", "190000.00", "72000.00",
         "500.00", "6.0000"],
        ["Total", "", "6", "48000.00", "14000.00", "130", "16", "690000.00", "238001.00",
         "395.84", "4.9584"],
    ]
    # fmt: on


def test_the_page_runs_the_same_number_of_queries_for_few_and_many_activities(client_a, world):
    client = _english(client_a, world.admin)

    def count(group: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"group": group}).status_code == 200
        return len(queries)

    few = {group: count(group) for group in ("activity", "partner", "period")}
    for n, who in enumerate(("P1", "P2", "P3", "P1"), start=1):
        order = _order(world.partners[who], "1000.00", world.admin)
        world.request(f"X{n}", who, world.seminar, date(2026, 8, n), "1000.00")
        claim = world.claim(f"X{n}", f"X{n}", "1000.00", leads=n, orders=[order])
        claim_approve(claim, user=world.finance)
    many = {group: count(group) for group in ("activity", "partner", "period")}

    assert few == many
    assert max(many.values()) <= 12
    report = roi_report(user=world.admin, group="activity")
    assert report.total.attributed_revenue == D("242001.00")  # + 4 x 1000.00
