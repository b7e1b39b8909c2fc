"""Wallet and finance pages over HTTP: who sees which money and files, and bounded queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.ledger import ledger_post, top_up_submit
from orders.models import AccountKind, EntryKind, LedgerEntry, Payment, TopUpRequest, TopUpStatus
from partners.models import Partner
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product, make_user
from tests.trust.images import PNG

pytestmark = pytest.mark.django_db

D = Decimal


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _english(client: Any, user: Any) -> Any:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


@pytest.fixture
def shop(in_a: Any) -> dict[str, Any]:
    """A dealer of manager 王经理 with a funded wallet and one submitted top-up."""
    manager = make_user(Role.CHANNEL_MANAGER, full_name="王经理")
    partner = make_partner(
        name="苏州园区电子有限公司", credit_limit=D("5000.00"), channel_manager=manager
    )
    dealer = make_user(Role.PARTNER_USER, partner=partner)
    ledger_post(
        partner=partner,
        kind=AccountKind.PREPAID,
        amount=D("500.00"),
        entry_kind=EntryKind.ADJUSTMENT,
        memo="opening balance",
    )
    top_up = top_up_submit(
        partner=partner,
        user=dealer,
        amount=D("800.00"),
        transferred_on=timezone.localdate(),
        bank_reference="CMB-7788",
        proof=SimpleUploadedFile("回单.png", PNG, content_type="image/png"),
    )
    return {
        "manager": manager,
        "partner": partner,
        "dealer": dealer,
        "admin": make_user(Role.PARTNER_ADMIN, partner=partner),
        "finance": make_user(Role.FINANCE),
        "top_up": top_up,
    }


@pytest.fixture
def stranger(shop: dict[str, Any]) -> dict[str, Any]:
    """Another dealer of the same vendor, with money of its own."""
    partner = make_partner(name="无锡竞争电子有限公司")
    ledger_post(
        partner=partner,
        kind=AccountKind.PREPAID,
        amount=D("77.00"),
        entry_kind=EntryKind.ADJUSTMENT,
    )
    return {"partner": partner, "user": make_user(Role.PARTNER_ADMIN, partner=partner)}


# --- partner portal -----------------------------------------------------------------------------


def test_wallet_shows_balances_entries_and_own_top_ups(client_a, shop, stranger):
    client = _english(client_a, shop["dealer"])

    page = client.get("/portal/wallet/")

    assert page.status_code == 200
    assert page.context["balances"] == {
        "prepaid": D("500.00"),
        "rebate": D("0.00"),
        "credit": D("0.00"),
        "credit_limit": D("5000.00"),
        "credit_available": D("5000.00"),
    }
    entries = list(page.context["page"].object_list)
    assert [(e.amount, e.memo) for e in entries] == [(D("500.00"), "opening balance")]
    assert list(page.context["top_ups"].object_list) == [shop["top_up"]]
    assert "¥5,000.00".encode() in page.content
    assert b"Top up the prepaid wallet" in page.content
    assert shop["top_up"].number.encode() in page.content


@pytest.mark.parametrize("who", ["dealer", "admin"])
def test_partner_users_submit_a_top_up_with_proof(client_a, shop, who):
    client = _english(client_a, shop[who])

    response = client.post(
        "/portal/wallet/",
        {
            "amount": "2000.50",
            "transferred_on": timezone.localdate().isoformat(),
            "bank_reference": "ABC-1",
            "proof": SimpleUploadedFile(
                "slip.pdf", b"%PDF-1.7 slip", content_type="application/pdf"
            ),
        },
    )

    created = TopUpRequest.objects.get(partner=shop["partner"], bank_reference="ABC-1")
    assert response.status_code == 302
    assert response["Location"] == "/portal/wallet/"
    assert (created.amount, created.status, created.submitted_by) == (
        D("2000.50"),
        TopUpStatus.SUBMITTED,
        shop[who],
    )
    assert created.proof.open("rb").read() == b"%PDF-1.7 slip"


def test_a_bad_proof_is_shown_at_its_field_and_nothing_is_saved(client_a, shop):
    client = _english(client_a, shop["dealer"])
    before = TopUpRequest.objects.count()

    response = client.post(
        "/portal/wallet/",
        {
            "amount": "-1",
            "transferred_on": timezone.localdate().isoformat(),
            "proof": SimpleUploadedFile("slip.exe", b"MZ\x90\x00", content_type="application/pdf"),
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"amount", "proof"}
    assert TopUpRequest.objects.count() == before


def test_own_proof_downloads_and_another_partner_gets_404_and_no_entries(client_a, shop, stranger):
    top_up = shop["top_up"]
    own = _english(client_a, shop["dealer"]).get(f"/portal/wallet/top-ups/{top_up.pk}/proof/")
    client_a.logout()

    client = _english(client_a, stranger["user"])
    theirs = client.get(f"/portal/wallet/top-ups/{top_up.pk}/proof/")
    wallet = client.get("/portal/wallet/")

    assert own.status_code == 200
    assert _body(own) == PNG
    assert own["Cache-Control"] == "private, no-store"
    assert theirs.status_code == 404
    shop_entries = set(
        LedgerEntry.objects.filter(account__partner=shop["partner"]).values_list("pk", flat=True)
    )
    assert {e.pk for e in wallet.context["page"].object_list}.isdisjoint(shop_entries)
    assert [e.amount for e in wallet.context["page"].object_list] == [D("77.00")]
    assert list(wallet.context["top_ups"].object_list) == []
    assert wallet.context["balances"]["prepaid"] == D("77.00")
    # Vendor pages are not a way round: a partner user is no vendor staff.
    assert client.get(f"/finance/top-ups/{top_up.pk}/proof/").status_code == 403
    assert client.get(f"/finance/partners/{shop['partner'].pk}/ledger/").status_code == 403


# --- vendor portal ------------------------------------------------------------------------------


def test_finance_reviews_downloads_and_approves_a_top_up_once(client_a, shop):
    top_up = shop["top_up"]
    client = _english(client_a, shop["finance"])

    listing = client.get("/finance/top-ups/")
    detail = client.get(f"/finance/top-ups/{top_up.pk}/")
    proof = client.get(f"/finance/top-ups/{top_up.pk}/proof/")
    approved = client.post(f"/finance/top-ups/{top_up.pk}/approve/")
    again = client.post(f"/finance/top-ups/{top_up.pk}/approve/", follow=True)
    top_up.refresh_from_db()

    assert top_up in listing.context["page"].object_list
    assert b"Approve and credit the wallet" in detail.content
    assert _body(proof) == PNG
    assert approved.status_code == 302
    assert approved["Location"] == f"/finance/top-ups/{top_up.pk}/"
    assert top_up.status == TopUpStatus.APPROVED
    assert b"This top-up request has already been decided." in again.content
    assert list(
        LedgerEntry.objects.filter(reference=top_up.number).values_list("amount", "balance_after")
    ) == [(D("800.00"), D("1300.00"))]


def test_rejecting_needs_a_reason(client_a, shop):
    top_up = shop["top_up"]
    client = _english(client_a, shop["finance"])

    empty = client.post(f"/finance/top-ups/{top_up.pk}/reject/", {"reason": ""}, follow=True)
    top_up.refresh_from_db()
    still = top_up.status
    client.post(f"/finance/top-ups/{top_up.pk}/reject/", {"reason": "金额不符 / amount differs"})
    top_up.refresh_from_db()

    client_a.logout()
    wallet = _english(client_a, shop["dealer"]).get("/portal/wallet/")

    assert b"Say why the top-up is rejected." in empty.content
    assert "Reason: 金额不符 / amount differs".encode() in wallet.content
    assert still == TopUpStatus.SUBMITTED
    assert top_up.status == TopUpStatus.REJECTED
    assert not LedgerEntry.objects.filter(reference=top_up.number).exists()


def test_partner_users_and_managers_cannot_approve(client_a, shop):
    top_up = shop["top_up"]
    url = f"/finance/top-ups/{top_up.pk}/approve/"

    as_partner = _english(client_a, shop["admin"]).post(url)
    client_a.logout()
    manager = _english(client_a, shop["manager"])
    manager_detail = manager.get(f"/finance/top-ups/{top_up.pk}/")
    as_manager = manager.post(url)
    top_up.refresh_from_db()

    assert as_partner.status_code == 403
    assert manager_detail.status_code == 200
    assert manager_detail.context["can_decide"] is False
    assert as_manager.status_code == 403
    assert top_up.status == TopUpStatus.SUBMITTED
    assert not LedgerEntry.objects.filter(reference=top_up.number).exists()


def test_other_vendor_roles_and_other_managers_see_no_money(client_a, shop):
    top_up, partner = shop["top_up"], shop["partner"]

    login(client_a, make_user(Role.SALES))
    sales = [
        client_a.get(url).status_code
        for url in (
            "/finance/top-ups/",
            f"/finance/top-ups/{top_up.pk}/",
            f"/finance/partners/{partner.pk}/ledger/",
        )
    ]
    login(client_a, make_user(Role.CHANNEL_MANAGER))
    other_manager = [
        client_a.get(url).status_code
        for url in (
            f"/finance/top-ups/{top_up.pk}/",
            f"/finance/top-ups/{top_up.pk}/proof/",
            f"/finance/partners/{partner.pk}/ledger/",
        )
    ]
    listing = client_a.get("/finance/top-ups/?status=")

    assert sales == [403, 403, 403]
    assert other_manager == [404, 404, 404]
    assert list(listing.context["page"].object_list) == []


def test_top_up_list_filters_by_partner_and_status(client_a, shop, stranger):
    other = top_up_submit(
        partner=stranger["partner"],
        user=stranger["user"],
        amount=D("9.99"),
        transferred_on=timezone.localdate(),
        bank_reference="",
        proof=SimpleUploadedFile("s.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    client = _english(client_a, shop["finance"])

    pending = client.get("/finance/top-ups/")
    by_partner = client.get(f"/finance/top-ups/?status=&partner={stranger['partner'].pk}")
    approved = client.get("/finance/top-ups/?status=approved")
    shop["top_up"].status = TopUpStatus.REJECTED  # a decided request leaves the default queue
    shop["top_up"].save(update_fields=["status"])
    paged = client.get("/finance/top-ups/?page=1")

    assert {shop["top_up"], other} <= set(pending.context["page"].object_list)
    assert list(by_partner.context["page"].object_list) == [other]
    assert list(approved.context["page"].object_list) == []
    assert shop["top_up"] not in paged.context["page"].object_list
    assert other in paged.context["page"].object_list


def test_finance_records_a_payment_that_pays_credit_first(client_a, shop):
    partner = shop["partner"]
    ledger_post(
        partner=partner,
        kind=AccountKind.CREDIT,
        amount=D("300.00"),
        entry_kind=EntryKind.ORDER,
    )
    client = _english(client_a, shop["finance"])

    form = client.get(f"/finance/payments/new/?partner={partner.pk}")
    response = client.post(
        "/finance/payments/new/",
        {
            "partner": partner.pk,
            "amount": "450.00",
            "received_on": timezone.localdate().isoformat(),
            "method": "bank_transfer",
            "reference": "回款-0301",
        },
    )

    payment = Payment.objects.get(partner=partner)
    assert form.status_code == 200
    assert form.context["form"].initial == {"partner": str(partner.pk)}
    assert response.status_code == 302
    assert response["Location"] == f"/finance/partners/{partner.pk}/ledger/"
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        D("450.00"),
        "回款-0301",
        shop["finance"],
    )
    ledger = client.get(response["Location"])
    assert ledger.context["balances"]["credit"] == D("0.00")
    assert ledger.context["balances"]["prepaid"] == D("650.00")


def test_managers_cannot_record_payments_and_bad_amounts_show_at_the_field(
    client_a, shop, stranger
):
    login(client_a, shop["manager"])
    assert client_a.get("/finance/payments/new/").status_code == 403

    client = _english(client_a, shop["finance"])
    response = client.post(
        "/finance/payments/new/",
        {
            "partner": stranger["partner"].pk,
            "amount": "0.001",
            "received_on": timezone.localdate().isoformat(),
            "method": "bank_transfer",
        },
    )

    assert set(response.context["form"].errors) == {"amount"}
    assert not Payment.objects.filter(partner=stranger["partner"]).exists()


def _fill(partner: Partner, n: int, order: Any) -> None:
    for i in range(n):
        ledger_post(
            partner=partner,
            kind=AccountKind.CREDIT if i % 2 else AccountKind.PREPAID,
            amount=D("1.00"),
            entry_kind=EntryKind.ORDER,
            order=order,
            reference=f"R{i}",
        )


def test_partner_ledger_page_runs_a_bounded_number_of_queries(client_a, shop):
    partner = shop["partner"]
    order = make_order(partner, (make_product("10.00"), 1))
    client = _english(client_a, shop["finance"])
    url = f"/finance/partners/{partner.pk}/ledger/"

    _fill(partner, 2, order)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    _fill(partner, 40, order)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url)
    second = client.get(url + "?page=2&account=credit")

    assert small.status_code == large.status_code == 200
    assert len(large.context["page"].object_list) == 25
    assert order.number.encode() in large.content
    assert len(many) == len(few)
    assert len(many) <= 10
    assert {e.account.kind for e in second.context["page"].object_list} == {"credit"}


def test_wallet_and_top_up_list_run_a_bounded_number_of_queries(client_a, shop):
    partner = shop["partner"]
    order = make_order(partner, (make_product("10.00"), 1))

    def count(user: Any, url: str) -> int:
        client = _english(client_a, user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    wallet_few, list_few = (
        count(shop["dealer"], "/portal/wallet/"),
        count(shop["finance"], "/finance/top-ups/"),
    )
    _fill(partner, 30, order)
    for i in range(12):
        top_up_submit(
            partner=partner,
            user=shop["admin"],
            amount=D("1.00") + i,
            transferred_on=timezone.localdate(),
            bank_reference=f"B{i}",
            proof=SimpleUploadedFile("s.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )

    assert count(shop["dealer"], "/portal/wallet/") == wallet_few
    assert count(shop["finance"], "/finance/top-ups/") == list_few


def test_another_vendor_and_anonymous_get_nothing(client_a, client_b, shop):
    top_up, partner = shop["top_up"], shop["partner"]
    urls = [
        f"/finance/top-ups/{top_up.pk}/",
        f"/finance/top-ups/{top_up.pk}/proof/",
        f"/finance/partners/{partner.pk}/ledger/",
    ]

    with schema_context("bravo"):
        client_b.force_login(make_user(Role.ADMIN))
    other_vendor = [client_b.get(url).status_code for url in urls]
    approve = client_b.post(f"/finance/top-ups/{top_up.pk}/approve/")
    anonymous = [
        client_a.get(url)
        for url in [
            *urls,
            "/finance/top-ups/",
            "/portal/wallet/",
            f"/portal/wallet/top-ups/{top_up.pk}/proof/",
        ]
    ]

    assert other_vendor == [404, 404, 404]
    assert approve.status_code == 404
    assert [r.status_code for r in anonymous] == [302] * 6
    assert all(r["Location"].startswith("/accounts/login/") for r in anonymous)
    top_up.refresh_from_db()
    assert top_up.status == TopUpStatus.SUBMITTED
