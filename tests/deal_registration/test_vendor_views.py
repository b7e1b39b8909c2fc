"""Deal registration in the vendor portal over HTTP: the decision queue and its filters, deciding
(and who may), the evidence of a dispute, co-selling, extensions, the pipeline, and isolation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from deal_registration.cosell import activity_add, team_add
from deal_registration.models import (
    DealActivity,
    DealConflict,
    DealRegistration,
    DealStatus,
    DealTeamMember,
    ExtensionStatus,
    ProtectionExtension,
    Verdict,
)
from deal_registration.protection import extension_request
from deal_registration.registrations import (
    registration_approve,
    registration_close,
    registration_reject,
    registration_request_info,
)
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today, tenant_zone
from tests.conftest import login
from tests.factories import make_user

from .deals import dealer, register

pytestmark = pytest.mark.django_db

D = Decimal


def _english(client: Client, user: User) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def flashed(response: Any) -> list[str]:
    """The messages shown on the page a POST redirected to (post with follow=True)."""
    return [str(m) for m in response.context["messages"]]


def history(registration: DealRegistration) -> list[tuple[str, str]]:
    return list(registration.status_changes.order_by("pk").values_list("to_status", "reason"))


def managed(manager: User, **kw: Any) -> tuple[Partner, User]:
    return dealer(channel_manager=manager, **kw)


def approved(user: User, admin: User, **overrides: Any) -> DealRegistration:
    registration = registration_approve(register(user, **overrides), actor=admin)
    registration.refresh_from_db()
    return registration


def overdue(registration: DealRegistration, hours: int = 2) -> DealRegistration:
    DealRegistration.objects.filter(pk=registration.pk).update(
        approval_due_at=timezone.now() - timedelta(hours=hours)
    )
    registration.refresh_from_db()
    return registration


OVERDUE_BADGE = b'<span class="badge text-bg-danger">overdue</span>'
CONFLICT_BADGE = b'<span class="badge text-bg-danger">conflict</span>'


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_opens_on_waiting_decisions_and_filters(client_a, in_a, vendor_admin):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    clean = register(first_user, customer_name="深圳市腾飞科技有限公司")
    blocked = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    late = overdue(register(first_user, customer_name="杭州西湖数据服务有限公司"))
    decided = approved(first_user, vendor_admin, customer_name="成都天府物流有限公司")
    register(first_user, submit=False, customer_name="武汉长江电力有限公司")  # hidden below
    client = _english(client_a, vendor_admin)

    def rows(query: str = "") -> list[DealRegistration]:
        return list(client.get(f"/deals/{query}").context["page"].object_list)

    queue = client.get("/deals/")

    assert list(queue.context["page"].object_list) == [late, clean, blocked]
    assert queue.content.count(OVERDUE_BADGE) == 1
    assert queue.content.count(CONFLICT_BADGE) == 1
    assert rows("?status=approved") == [decided]
    # Drafts are the dealers' own until submitted: not in the lists, not offered as a status.
    offered = [value for value, _label in queue.context["filter"].form.fields["status"].choices]
    assert offered == ["", *(s for s in DealStatus.values if s != DealStatus.DRAFT)]
    # Without a status the queue stays on submitted ones; "All" is an empty status.
    assert rows("?conflict=no") == [late, clean]
    assert rows("?status=&conflict=yes") == [blocked]
    assert rows("?status=&conflict=no") == [late, clean, decided]
    assert rows("?status=&overdue=yes") == [late]
    assert rows("?status=&overdue=no") == [clean, blocked, decided]
    assert rows("?status=submitted&overdue=no&conflict=no") == [clean]
    assert rows(f"?status=&q={blocked.number}") == [blocked]
    assert rows("?status=rejected") == []


def test_the_detail_shows_the_sla_badge_only_when_late(client_a, in_a, vendor_admin):
    _partner, user = dealer()
    on_time = register(user, customer_name="深圳市腾飞科技有限公司")
    late = overdue(register(user, customer_name="杭州西湖数据服务有限公司"), hours=1)
    client = _english(client_a, vendor_admin)

    on_time_page = client.get(f"/deals/{on_time.pk}/")
    late_page = client.get(f"/deals/{late.pk}/")

    assert on_time_page.content.count(OVERDUE_BADGE) == 0
    assert late_page.content.count(OVERDUE_BADGE) == 1
    assert b"decision due" in late_page.content


# --- deciding -----------------------------------------------------------------------------------


@pytest.fixture(params=["admin", "channel_manager"])
def decider_and_partner(request: Any, in_a: Any, vendor_admin: User) -> tuple[User, User]:
    """A vendor admin, or the channel manager of the registering partner; and that partner's
    user."""
    if request.param == "admin":
        _partner, user = dealer()
        return vendor_admin, user
    manager = make_user(Role.CHANNEL_MANAGER)
    _partner, user = managed(manager)
    return manager, user


def test_a_decider_approves_rejects_and_asks_for_information(client_a, decider_and_partner):
    decider, user = decider_and_partner
    to_approve = register(user, customer_name="深圳市腾飞科技有限公司")
    to_reject = register(user, customer_name="杭州西湖数据服务有限公司")
    to_ask = register(user, customer_name="成都天府物流有限公司")
    client = _english(client_a, decider)

    detail = client.get(f"/deals/{to_approve.pk}/")
    approve = client.post(f"/deals/{to_approve.pk}/approve/", follow=True)
    reject_silently = client.post(f"/deals/{to_reject.pk}/reject/", {"reason": " "}, follow=True)
    to_reject.refresh_from_db()
    after_silent_reject = to_reject.status
    reject = client.post(f"/deals/{to_reject.pk}/reject/", {"reason": "直销客户"}, follow=True)
    ask_silently = client.post(f"/deals/{to_ask.pk}/more-info/", follow=True)
    ask = client.post(f"/deals/{to_ask.pk}/more-info/", {"reason": "请补充预算"}, follow=True)
    for registration in (to_approve, to_reject, to_ask):
        registration.refresh_from_db()

    assert detail.status_code == 200
    assert (detail.context["can_decide"], detail.context["decision_open"]) == (True, True)
    assert f'formaction="/deals/{to_approve.pk}/approve/"'.encode() in detail.content
    assert approve.redirect_chain == [(f"/deals/{to_approve.pk}/", 302)]
    assert flashed(approve) == [f"{to_approve.number} approved and protected."]
    assert (to_approve.status, to_approve.holds_claim, to_approve.decided_by) == (
        DealStatus.APPROVED,
        True,
        decider,
    )
    assert to_approve.protection_ends == tenant_today() + timedelta(days=89)
    assert flashed(reject_silently) == ["Say why."]
    assert after_silent_reject == DealStatus.SUBMITTED
    assert flashed(reject) == [f"{to_reject.number} rejected."]
    assert (to_reject.status, to_reject.holds_claim, to_reject.decided_by) == (
        DealStatus.REJECTED,
        False,
        decider,
    )
    assert history(to_reject)[-1] == ("rejected", "直销客户")
    assert flashed(ask_silently) == ["Say why."]
    assert flashed(ask) == [f"{to_ask.number} sent back to the partner for more information."]
    assert to_ask.status == DealStatus.MORE_INFO
    assert history(to_ask) == [("draft", ""), ("submitted", ""), ("more_info", "请补充预算")]


def test_a_channel_manager_sees_only_the_partners_assigned_to_it(client_a, in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    _mine, own_user = managed(manager)
    _theirs, other_user = dealer()
    own = register(own_user, customer_name="深圳市腾飞科技有限公司")
    other = register(other_user, customer_name="杭州西湖数据服务有限公司")
    client = _english(client_a, manager)

    listing = client.get("/deals/")
    detail = client.get(f"/deals/{other.pk}/")
    approve = client.post(f"/deals/{other.pk}/approve/")
    other.refresh_from_db()

    assert list(listing.context["page"].object_list) == [own]
    assert (detail.status_code, approve.status_code) == (404, 404)
    assert other.status == DealStatus.SUBMITTED


def test_a_sales_rep_looks_but_does_not_decide(client_a, in_a):
    _partner, user = dealer()
    registration = register(user)
    client = _english(client_a, make_user(Role.SALES))

    detail = client.get(f"/deals/{registration.pk}/")
    posts = [
        client.post(f"/deals/{registration.pk}/approve/").status_code,
        client.post(f"/deals/{registration.pk}/reject/", {"reason": "不行"}).status_code,
        client.post(f"/deals/{registration.pk}/more-info/", {"reason": "补充"}).status_code,
    ]
    registration.refresh_from_db()

    assert detail.status_code == 200
    assert (detail.context["can_decide"], detail.context["decision_open"]) == (False, False)
    assert detail.context["team_form"] is None
    assert b"/approve/" not in detail.content
    assert posts == [403, 403, 403]
    assert (registration.status, registration.decided_by) == (DealStatus.SUBMITTED, None)
    assert history(registration) == [("draft", ""), ("submitted", "")]


def test_a_blocked_registration_cannot_be_approved(client_a, in_a, vendor_admin):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    register(first_user, customer_name="深圳市腾飞科技有限公司")
    blocked = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    client = _english(client_a, vendor_admin)

    response = client.post(f"/deals/{blocked.pk}/approve/", {"reason": "我说可以"}, follow=True)
    blocked.refresh_from_db()

    assert flashed(response) == [
        "Another registration or a vendor account holds this customer: reject this "
        "registration, or settle the other one first."
    ]
    assert (blocked.status, blocked.holds_claim, blocked.has_conflict) == (
        DealStatus.SUBMITTED,
        False,
        True,
    )
    assert (blocked.approved_at, blocked.protection_ends, blocked.decided_by) == (None, None, None)
    assert history(blocked) == [("draft", ""), ("submitted", "")]
    assert b"does not hold the customer" in response.content


def test_a_possible_conflict_is_approved_only_with_a_reason(client_a, in_a, vendor_admin):
    _p1, first_user = dealer()
    _p2, second_user = dealer()
    register(first_user, customer_name="深圳市腾飞科技有限公司", website="www.tengfei-tech.cn")
    review = register(second_user, customer_name="星河智能装备有限公司", website="tengfei-tech.cn")
    client = _english(client_a, vendor_admin)

    silent = client.post(f"/deals/{review.pk}/approve/", follow=True)
    review.refresh_from_db()
    after_silent = (review.status, review.protection_ends)
    reasoned = client.post(
        f"/deals/{review.pk}/approve/", {"reason": "同域名的两家独立公司"}, follow=True
    )
    review.refresh_from_db()

    assert DealConflict.objects.get(registration=review).verdict == Verdict.REVIEW
    assert flashed(silent) == ["Say why."]
    assert after_silent == (DealStatus.SUBMITTED, None)
    assert flashed(reasoned) == [f"{review.number} approved and protected."]
    assert (review.status, review.holds_claim, review.has_conflict) == (
        DealStatus.APPROVED,
        True,
        True,
    )
    assert history(review)[-1] == ("approved", "同域名的两家独立公司")


# --- evidence -----------------------------------------------------------------------------------


def _stamp(moment: Any) -> str:
    return timezone.localtime(moment, tenant_zone()).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_the_evidence_page_sets_both_sides_side_by_side_first_to_later(
    client_a, in_a, vendor_admin
):
    first_partner, first_user = dealer(name="甲方渠道伙伴有限公司")
    later_partner, later_user = dealer(name="乙方渠道伙伴有限公司")
    first = register(first_user, customer_name="深圳市腾飞科技有限公司")
    later = register(later_user, customer_name="腾飞科技（深圳）有限公司")
    unrelated = register(first_user, customer_name="杭州西湖数据服务有限公司")
    conflict = DealConflict.objects.get(registration=later)
    client = _english(client_a, vendor_admin)

    from_later = client.get(f"/deals/{later.pk}/evidence/{conflict.pk}/")
    from_first = client.get(f"/deals/{first.pk}/evidence/{conflict.pk}/")
    elsewhere = client.get(f"/deals/{unrelated.pk}/evidence/{conflict.pk}/")
    detail = client.get(f"/deals/{later.pk}/")
    html = from_later.content.decode()

    assert conflict.other_registration == first
    assert first.submitted_at is not None
    assert later.submitted_at is not None
    assert first.submitted_at < later.submitted_at
    assert from_later.status_code == from_first.status_code == 200
    assert (from_later.context["a"], from_later.context["b"]) == (first, later)
    assert (from_first.context["a"], from_first.context["b"]) == (first, later)
    for text in (
        first.number,
        later.number,
        first_partner.name,
        later_partner.name,
        _stamp(first.submitted_at),
        _stamp(later.submitted_at),
    ):
        assert text in html, text
    first_card, later_card = html.index("Registered first"), html.index("Registered later")
    assert first_card < html.index(first.number, first_card) < later_card
    assert later_card < html.index(later.number, later_card)
    assert first_card < html.index(first_partner.name) < later_card
    assert later_card < html.index(later_partner.name)
    assert html.index(_stamp(first.submitted_at)) < html.index(_stamp(later.submitted_at))
    events = from_later.context["events"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert [e.what for e in events].count("Registered (database time)") == 2
    assert elsewhere.status_code == 404
    assert f'href="/deals/{later.pk}/evidence/{conflict.pk}/"'.encode() in detail.content


def test_a_channel_manager_sees_evidence_only_when_both_sides_are_its_own(client_a, in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    _p1, first_user = dealer()
    _p2, later_user = managed(manager)
    register(first_user, customer_name="深圳市腾飞科技有限公司")
    later = register(later_user, customer_name="腾飞科技（深圳）有限公司")
    conflict = DealConflict.objects.get(registration=later)
    client = _english(client_a, manager)

    assert client.get(f"/deals/{later.pk}/").status_code == 200
    assert client.get(f"/deals/{later.pk}/evidence/{conflict.pk}/").status_code == 404


# --- co-selling ---------------------------------------------------------------------------------


def test_the_decider_puts_vendor_people_on_the_deal_and_takes_them_off(
    client_a, in_a, vendor_admin
):
    _partner, user = dealer()
    registration = approved(user, vendor_admin)
    rep = make_user(Role.SALES, full_name="销售小王", email="wang@alpha.test")
    url = f"/deals/{registration.pk}/"
    client = _english(client_a, vendor_admin)

    added = client.post(url + "team/", {"user": rep.pk, "role": "presales"}, follow=True)
    twice = client.post(url + "team/", {"user": rep.pk, "role": "sales"}, follow=True)
    outsider = client.post(url + "team/", {"user": user.pk, "role": "sales"}, follow=True)
    member = DealTeamMember.objects.get(registration=registration)
    members_before_removal = list(
        DealTeamMember.objects.filter(registration=registration).values_list("user", "role")
    )
    # The rep on the team co-sells: adds to the timeline of this deal.
    rep_client = _english(Client(HTTP_HOST="alpha.localhost"), rep)
    noted = rep_client.post(
        url + "activity/",
        {"kind": "call", "occurred_on": tenant_today().isoformat(), "body": "电话沟通技术方案"},
        follow=True,
    )
    removed = client.post(url + f"team/{member.pk}/remove/", follow=True)
    gone_again = client.post(url + f"team/{member.pk}/remove/")
    rep_after = rep_client.post(
        url + "activity/",
        {"kind": "call", "occurred_on": tenant_today().isoformat(), "body": "再打一次"},
    )

    assert added.redirect_chain == [(url, 302)]
    assert flashed(added) == ["销售小王 <wang@alpha.test> joined the deal."]
    assert flashed(twice) == ["销售小王 <wang@alpha.test> is already on this deal."]
    assert flashed(outsider) == ["Choose a person and a role."]
    assert members_before_removal == [(rep.pk, "presales")]
    assert flashed(noted) == ["Activity recorded."]
    assert list(
        DealActivity.objects.filter(registration=registration).values_list("author", "body")
    ) == [(rep.pk, "电话沟通技术方案")]
    assert flashed(removed) == ["销售小王 <wang@alpha.test> left the deal."]
    assert not DealTeamMember.objects.filter(registration=registration).exists()
    assert gone_again.status_code == 404
    assert rep_after.status_code == 403  # off the team, no longer co-selling


def test_the_vendor_records_an_activity_with_a_file_and_moves_the_stage(
    client_a, in_a, vendor_admin
):
    _partner, user = dealer()
    registration = approved(user, vendor_admin)
    url = f"/deals/{registration.pk}/"
    today = tenant_today()
    client = _english(client_a, vendor_admin)

    added = client.post(
        url + "activity/",
        {
            "kind": "demo",
            "occurred_on": today.isoformat(),
            "body": "现场演示",
            "attachment": SimpleUploadedFile("demo.pdf", b"%PDF-1.4 demo slides"),
        },
        follow=True,
    )
    activity = DealActivity.objects.get(registration=registration)
    download = client.get(url + f"files/{activity.pk}/")
    content = b"".join(download.streaming_content)  # reading it to the end closes the file
    staged = client.post(
        url + "stage/",
        {
            "stage": "negotiation",
            "estimated_amount": "88000.00",
            "expected_close_date": (today + timedelta(days=20)).isoformat(),
        },
        follow=True,
    )
    registration.refresh_from_db()

    assert flashed(added) == ["Activity recorded."]
    assert (activity.kind, activity.author, activity.original_name) == (
        "demo",
        vendor_admin,
        "demo.pdf",
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="demo.pdf"'
    assert content == b"%PDF-1.4 demo slides"
    assert flashed(staged) == ["Stage updated."]
    assert (registration.stage, registration.estimated_amount) == ("negotiation", D("88000.00"))
    assert registration.expected_close_date == today + timedelta(days=20)


def test_an_approved_extension_moves_protection_by_exactly_its_days(client_a, in_a, vendor_admin):
    _partner, user = dealer()
    registration = approved(user, vendor_admin)
    ends = registration.protection_ends
    extension = extension_request(registration, user=user, days=30, reason="客户招标延期")
    url = f"/deals/{registration.pk}/extensions/{extension.pk}/"
    client = _english(client_a, vendor_admin)

    response = client.post(url, {"decision": "approve"}, follow=True)
    again = client.post(url, {"decision": "approve"})
    registration.refresh_from_db()
    extension.refresh_from_db()

    assert ends == tenant_today() + timedelta(days=89)
    assert flashed(response) == ["Extension approved."]
    assert registration.protection_ends == ends + timedelta(days=30)
    assert (extension.status, extension.decided_by) == (ExtensionStatus.APPROVED, vendor_admin)
    assert again.status_code == 404  # decided: no longer pending
    assert registration.protection_ends == ends + timedelta(days=30)


def test_a_rejected_extension_needs_a_note_and_changes_nothing(client_a, in_a, vendor_admin):
    _partner, user = dealer()
    registration = approved(user, vendor_admin)
    ends = registration.protection_ends
    extension = extension_request(registration, user=user, days=20, reason="再给点时间")
    url = f"/deals/{registration.pk}/extensions/{extension.pk}/"
    client = _english(client_a, vendor_admin)

    silent = client.post(url, {"decision": "reject", "reason": ""}, follow=True)
    extension.refresh_from_db()
    after_silent = extension.status
    rejected = client.post(url, {"decision": "reject", "reason": "已延期过一次"}, follow=True)
    extension.refresh_from_db()
    registration.refresh_from_db()

    assert flashed(silent) == ["Say why."]
    assert after_silent == ExtensionStatus.PENDING
    assert flashed(rejected) == ["Extension rejected."]
    assert (extension.status, extension.decision_note, extension.decided_by) == (
        ExtensionStatus.REJECTED,
        "已延期过一次",
        vendor_admin,
    )
    assert registration.protection_ends == ends


# --- pipeline -----------------------------------------------------------------------------------


def _pipeline_deals(user: User, admin: User) -> date:
    """Five open deals over two close months, plus a draft, a won and a rejected one."""
    march = date(tenant_today().year + 1, 3, 1)
    may = date(tenant_today().year + 1, 5, 1)

    def deal(name: str, stage: str, amount: str, close: date, **kw: Any) -> DealRegistration:
        return register(
            user,
            customer_name=name,
            stage=stage,
            estimated_amount=D(amount),
            expected_close_date=close,
            **kw,
        )

    deal("北京金山软件有限公司", "qualification", "100000.00", march.replace(day=10))
    deal("上海浦江物流有限公司", "proposal", "80000.00", march.replace(day=20))
    registration_approve(
        deal("杭州西湖茶业有限公司", "negotiation", "50000.00", may.replace(day=5)), actor=admin
    )
    registration_request_info(
        deal("成都天府数据有限公司", "needs_analysis", "12345.67", may.replace(day=31)),
        actor=admin,
        reason="补充",
    )
    deal("武汉长江电力有限公司", "qualification", "20000.00", may.replace(day=15))
    deal("南京紫金医疗有限公司", "proposal", "999999.00", march, submit=False)
    won = registration_approve(
        deal("西安古城文旅有限公司", "negotiation", "70000.00", march), actor=admin
    )
    registration_close(won, actor=user, won=True)
    registration_reject(
        deal("青岛海湾啤酒有限公司", "proposal", "5000.00", march), actor=admin, reason="重复"
    )
    return march


def test_the_pipeline_counts_amounts_and_weights_by_stage_and_month(client_a, in_a, vendor_admin):
    _partner, user = dealer()
    march = _pipeline_deals(user, vendor_admin)
    may = march.replace(month=5)
    client = _english(client_a, vendor_admin)

    response = client.get("/deals/pipeline/")
    context = response.context

    def cells(rows: Any) -> list[tuple[Any, int, Decimal, Decimal]]:
        return [(key, c.count, c.amount, c.weighted) for key, c in rows]

    assert response.status_code == 200
    assert cells(context["stages"]) == [
        ("qualification", 2, D("120000.00"), D("12000.00")),
        ("needs_analysis", 1, D("12345.67"), D("3086.42")),
        ("proposal", 1, D("80000.00"), D("40000.00")),
        ("negotiation", 1, D("50000.00"), D("37500.00")),
    ]
    assert cells(context["months"]) == [
        (march, 2, D("180000.00"), D("50000.00")),
        (may, 3, D("82345.67"), D("42586.42")),
    ]
    total = context["total"]
    assert (total.count, total.amount, total.weighted) == (5, D("262345.67"), D("92586.42"))
    assert (context["won_count"], context["won_amount"]) == (1, D("70000.00"))
    assert "¥92,586.42".encode() in response.content
    assert "¥262,345.67".encode() in response.content
    assert b"1 deal won so far" in response.content


def test_a_channel_managers_pipeline_holds_only_its_partners(client_a, in_a, vendor_admin):
    manager = make_user(Role.CHANNEL_MANAGER)
    _mine, own_user = managed(manager)
    _theirs, other_user = dealer()
    close = date(tenant_today().year + 1, 6, 10)
    for user, name, amount in (
        (own_user, "北京金山软件有限公司", "10000.00"),
        (other_user, "上海浦江物流有限公司", "90000.00"),
    ):
        register(
            user,
            customer_name=name,
            stage="proposal",
            estimated_amount=D(amount),
            expected_close_date=close,
        )

    context = _english(client_a, manager).get("/deals/pipeline/").context

    assert [(m, c.count, c.amount, c.weighted) for m, c in context["months"]] == [
        (date(close.year, 6, 1), 1, D("10000.00"), D("5000.00"))
    ]


def test_weighted_amounts_round_half_up_like_all_money(client_a, in_a, vendor_admin):
    _partner, user = dealer()
    register(
        user,
        stage="proposal",
        estimated_amount=D("33333.33"),
        expected_close_date=date(tenant_today().year + 1, 4, 1),
    )

    context = _english(client_a, vendor_admin).get("/deals/pipeline/").context

    assert context["total"].weighted == D("16666.67")


# --- isolation ----------------------------------------------------------------------------------


def _vendor_requests(
    pk: int, member_pk: int, activity_pk: int, extension_pk: int, conflict_pk: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """Every URL of urls.py, with a body that would succeed for a vendor admin."""
    today = tenant_today()
    return [
        ("get", reverse("deals:list"), {}),
        ("get", reverse("deals:pipeline"), {}),
        ("get", reverse("deals:detail", args=[pk]), {}),
        ("post", reverse("deals:approve", args=[pk]), {"reason": "x"}),
        ("post", reverse("deals:reject", args=[pk]), {"reason": "x"}),
        ("post", reverse("deals:request_info", args=[pk]), {"reason": "x"}),
        ("post", reverse("deals:team_add", args=[pk]), {"user": "", "role": "sales"}),
        ("post", reverse("deals:team_remove", args=[pk, member_pk]), {}),
        (
            "post",
            reverse("deals:activity", args=[pk]),
            {"kind": "note", "occurred_on": today.isoformat(), "body": "偷看"},
        ),
        (
            "post",
            reverse("deals:stage", args=[pk]),
            {
                "stage": "negotiation",
                "estimated_amount": "1.00",
                "expected_close_date": today.isoformat(),
            },
        ),
        ("get", reverse("deals:activity_file", args=[pk, activity_pk]), {}),
        (
            "post",
            reverse("deals:extension_decide", args=[pk, extension_pk]),
            {"decision": "approve"},
        ),
        ("get", reverse("deals:evidence", args=[pk, conflict_pk]), {}),
    ]


def _send(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url, data) if method == "get" else client.post(url, data)


def _statuses(client: Client, requests: list[tuple[str, str, dict[str, Any]]]) -> list[int]:
    return [_send(client, *request).status_code for request in requests]


def test_vendor_urls_are_mounted_where_the_templates_expect(in_a):
    assert reverse("deals:list") == "/deals/"
    assert reverse("deals:request_info", args=[7]) == "/deals/7/more-info/"
    assert reverse("deals:team_remove", args=[7, 3]) == "/deals/7/team/3/remove/"
    assert reverse("deals:extension_decide", args=[7, 2]) == "/deals/7/extensions/2/"
    assert reverse("deals:evidence", args=[7, 5]) == "/deals/7/evidence/5/"


def test_only_the_vendors_own_people_open_its_registrations(client_a, client_b, in_a, vendor_admin):
    # Given an approved registration with everything a URL can point at
    manager = make_user(Role.CHANNEL_MANAGER)
    _partner, user = dealer()
    _later_partner, later_user = dealer()
    registration = approved(user, vendor_admin, customer_name="深圳市腾飞科技有限公司")
    register(later_user, customer_name="腾飞科技（深圳）有限公司")
    conflict = DealConflict.objects.get(other_registration=registration)
    member = team_add(registration, actor=vendor_admin, user=make_user(Role.SALES), role="sales")
    activity = activity_add(
        registration,
        actor=user,
        kind="file",
        occurred_on=tenant_today(),
        body="方案",
        attachment=SimpleUploadedFile("a.pdf", b"%PDF-1.4 secret"),
    )
    extension = extension_request(registration, user=user, days=10, reason="延期")
    requests = _vendor_requests(registration.pk, member.pk, activity.pk, extension.pk, conflict.pk)
    by_id = requests[2:]
    assert len(requests) == 13

    # The owner itself can open every one of them (the URLs are right)
    owner = _statuses(_english(Client(HTTP_HOST="alpha.localhost"), vendor_admin), requests[:3])
    anonymous = [_send(Client(HTTP_HOST="alpha.localhost"), *r) for r in requests]
    partner_user = _statuses(login(Client(HTTP_HOST="alpha.localhost"), user), requests)
    other_manager = _statuses(login(client_a, manager), by_id)
    manager_list = client_a.get("/deals/?status=approved")
    registration.refresh_from_db()
    extension.refresh_from_db()

    assert owner == [200, 200, 200]
    assert [r.status_code for r in anonymous] == [302] * 13
    assert all(r["Location"].startswith("/accounts/login/?next=/deals/") for r in anonymous)
    assert partner_user == [403] * 13
    assert other_manager == [404] * 11
    assert list(manager_list.context["page"].object_list) == []
    assert (registration.status, registration.stage) == (DealStatus.APPROVED, "qualification")
    assert extension.status == ExtensionStatus.PENDING
    assert DealTeamMember.objects.filter(registration=registration).count() == 1
    assert DealActivity.objects.filter(registration=registration).count() == 1
    assert ProtectionExtension.objects.filter(registration=registration).count() == 1

    # Last: after a request on bravo's host the connection stays in bravo's schema.
    with schema_context("bravo"):
        login(client_b, make_user(Role.ADMIN))
    bravo = _statuses(client_b, by_id)
    bravo_list = client_b.get("/deals/", {"status": ""})

    assert bravo == [404] * 11
    assert list(bravo_list.context["page"].object_list) == []


def test_a_channel_manager_sees_a_conflict_but_not_another_managers_partner(client_a, in_a):
    mine, theirs = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    _p1, first_user = dealer(channel_manager=theirs, name="远方伙伴有限公司")
    _p2, second_user = dealer(channel_manager=mine)
    first = register(first_user, title="远方的秘密商机")
    second = register(second_user, customer_name="腾飞科技（深圳）有限公司")
    client = _english(client_a, mine)

    page = client.get(f"/deals/{second.pk}/").content.decode()

    assert "Another channel manager's partner" in page
    for secret in ("远方伙伴有限公司", first.number, "远方的秘密商机", f"/deals/{first.pk}/"):
        assert secret not in page
    assert "Blocked" in page  # the conflict itself is shown


def test_the_dashboard_counts_waiting_decisions_and_the_weighted_pipeline_in_scope(client_a, in_a):
    mine, theirs = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    _p1, own_user = dealer(channel_manager=mine)
    _p2, other_user = dealer(channel_manager=theirs)
    late = register(own_user, customer_name="甲公司", estimated_amount=D("100000.00"))
    register(own_user, customer_name="乙公司", stage="proposal", estimated_amount=D("3333.33"))
    register(other_user, customer_name="丙公司", estimated_amount=D("999999.00"))
    DealRegistration.objects.filter(pk=late.pk).update(
        approval_due_at=timezone.now() - timedelta(hours=1)
    )

    page = _english(client_a, mine).get("/").content.decode()

    # 10 % of 100 000.00 + 50 % of 3 333.33 = 10 000.00 + 1 666.67 (half-up)
    assert (
        'Deal registrations waiting for a decision</div>\n    <div class="display-6">2</div>'
        in page
    )
    assert "1 overdue" in page
    assert "¥11,666.67" in page
    assert "2 open deals, ¥103,333.33" in page


def test_a_decider_closes_a_deal_and_links_its_orders_a_sales_rep_cannot(
    client_a, in_a, vendor_admin
):
    from tests.factories import make_order, make_product

    partner, user = dealer()
    registration = register(user)
    client = _english(client_a, vendor_admin)
    client.post(f"/deals/{registration.pk}/approve/")
    order = make_order(partner, (make_product("60.00"), 1))
    sales = make_user(Role.SALES)

    won = client.post(f"/deals/{registration.pk}/close/", {"outcome": "won"}, follow=True)
    linked = client.post(f"/deals/{registration.pk}/orders/", {"orders": [order.pk]}, follow=True)
    login(client_a, sales)
    refused = client_a.post(f"/deals/{registration.pk}/orders/", {"orders": [order.pk]})

    registration.refresh_from_db()
    assert flashed(won) == [
        f"{registration.number} approved and protected.",
        f"{registration.number} closed.",
    ]
    assert flashed(linked) == [f"Orders linked to {registration.number}."]
    assert registration.status == DealStatus.WON
    assert list(registration.orders.values_list("pk", flat=True)) == [order.pk]
    assert refused.status_code == 403


def test_the_lists_cost_the_same_queries_for_three_or_twelve_rows(client_a, in_a, vendor_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _partner, user = dealer()
    vendor = _english(client_a, vendor_admin)

    def cost(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        register(user, customer_name=f"第{n}号客户公司")
    few = (
        cost(vendor, "/deals/?status="),
        cost(_english(Client(HTTP_HOST="alpha.localhost"), user), "/portal/deals/"),
    )
    for n in range(3, 12):
        register(user, customer_name=f"第{n}号客户公司")
    many = (
        cost(vendor, "/deals/?status="),
        cost(_english(Client(HTTP_HOST="alpha.localhost"), user), "/portal/deals/"),
    )

    assert few == many
