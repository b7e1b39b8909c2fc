"""Market funds in the partner portal over HTTP: drafting and submitting a request with budget
lines, errors shown at their field or line, proof uploaded and downloaded, claims with invoices
(errors at their row), the settlement PDF, and who may open which page."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from mdf.claims import InvoiceIn, claim_approve, claim_submit
from mdf.evidence import evidence_add
from mdf.ledger import fund_allocate
from mdf.models import ClaimStatus, MdfClaim, MdfEvidence, MdfRequest, RequestStatus
from mdf.requests import request_approve, request_submit
from mdf.settlement import claim_settle
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.deal_registration.deals import register
from tests.factories import make_order, make_partner, make_product, make_user

from .test_claims import proven
from .test_evidence import PDF, PNG
from .test_ledger import make_fund, totals
from .test_requests import draft

pytestmark = pytest.mark.django_db

D = Decimal
HOME = "/portal/mdf/"
NEW = "/portal/mdf/requests/new/"
DAY = "2026-12-10"
_invoice_numbers = itertools.count(1)


def _english(client: Client, user: User) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def flashed(response: Any) -> list[str]:
    """The messages shown on the page a POST redirected to (post with follow=True)."""
    return [str(m) for m in response.context["messages"]]


def feedback(response: Any, name: str) -> list[str]:
    """The `invalid-feedback` lines shown under the form field `name`."""
    blocks = response.content.decode().split('<div class="mb-3">')
    block = next(b for b in blocks if f'for="id_{name}"' in b)
    return [unescape(e) for e in re.findall(r'<div class="invalid-feedback">(.*?)</div>', block)]


def row_errors(response: Any, row_id: str) -> list[str]:
    """The errors shown inside the table row `row_id` (e.g. "line-2", "invoice-3")."""
    html = response.content.decode()
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None, row_id
    return [unescape(e) for e in re.findall(r'<div class="row-error[^"]*">(.*?)</div>', row[1])]


def request_form(world: dict[str, Any], *lines: tuple[int, str, str], **overrides: str) -> dict:
    """The request form as a browser posts it; `lines` are (row, description, amount)."""
    data = {
        "fund": str(world["fund"].pk),
        "activity_type": str(world["seminar"].pk),
        "title": "杭州渠道研讨会",
        "starts_on": DAY,
        "ends_on": DAY,
        "location": "杭州",
        "plan": "邀请 40 家终端客户",
        "expected_leads": "20",
        "expected_revenue": "300000.00",
    }
    for row in range(1, 9):
        data[f"line-{row}-description"] = ""
        data[f"line-{row}-amount"] = ""
    for row, text, amount in lines:
        data[f"line-{row}-description"] = text
        data[f"line-{row}-amount"] = amount
    data.update(overrides)
    return data


def claim_form(*invoices: tuple[int, str, str, str, str], **overrides: Any) -> dict:
    """The claim form; `invoices` are (row, number, date, amount, issuer)."""
    data: dict[str, Any] = {"leads": "25", "new_customers": "3", "revenue": "180000.00"}
    for row in range(1, 11):
        for column in ("number", "issued_on", "amount", "issuer"):
            data[f"invoice-{row}-{column}"] = ""
    for row, number, issued_on, amount, issuer in invoices:
        data[f"invoice-{row}-number"] = number
        data[f"invoice-{row}-issued_on"] = issued_on
        data[f"invoice-{row}-amount"] = amount
        data[f"invoice-{row}-issuer"] = issuer
    data.update(overrides)
    return data


def history(obj: MdfRequest | MdfClaim) -> list[str]:
    return list(obj.status_changes.order_by("pk").values_list("to_status", flat=True))


def approved(world: dict[str, Any], *lines: tuple[str, str]) -> MdfRequest:
    return request_approve(
        request_submit(draft(world, *lines), user=world["dealer"]), user=world["manager"]
    )


def claimed(world: dict[str, Any], amount: str = "1000.00") -> MdfClaim:
    """A claim waiting for review, on a proven request of `amount`."""
    number = f"T-{next(_invoice_numbers)}"
    return claim_submit(
        proven(world, ("场地", amount)),
        [InvoiceIn(number, date(2026, 12, 10), D(amount), "某公司")],
        user=world["dealer"],
    )


# --- requests -----------------------------------------------------------------------------------


def test_a_partner_drafts_a_request_with_two_lines_then_submits_it(client_a, world):
    client = _english(client_a, world["dealer"])

    home = client.get(HOME)
    page = client.get(NEW)
    saved = client.post(
        NEW,
        {**request_form(world, (1, "场地租赁", "3000.00"), (3, "餐饮", "1000.50")), "save": "1"},
        follow=True,
    )
    request = MdfRequest.objects.get(partner=world["partner"])
    draft_state = (request.status, request.requested_amount, request.submitted_at)
    submitted = client.post(f"/portal/mdf/requests/{request.pk}/submit/", follow=True)
    request.refresh_from_db()
    listing = client.get(HOME)

    assert home.status_code == page.status_code == 200
    assert b"New request" in home.content
    assert list(page.context["form"].fields["fund"].queryset) == [world["fund"]]
    assert saved.redirect_chain == [(f"/portal/mdf/requests/{request.pk}/", 302)]
    assert flashed(saved) == [f"{request.number} saved as a draft."]
    assert draft_state == (RequestStatus.DRAFT, D("4000.50"), None)
    assert list(request.lines.values_list("description", "amount")) == [
        ("场地租赁", D("3000.00")),
        ("餐饮", D("1000.50")),
    ]
    assert (request.created_by, request.title, request.expected_revenue) == (
        world["dealer"],
        "杭州渠道研讨会",
        D("300000.00"),
    )
    assert flashed(submitted) == [f"{request.number} submitted for approval."]
    assert (request.status, request.requested_amount) == (RequestStatus.SUBMITTED, D("4000.50"))
    assert request.submitted_at is not None
    assert history(request) == ["draft", "submitted"]
    assert list(listing.context["page"].object_list) == [request]
    assert "¥4,000.50" in listing.content.decode()
    # Submitted: no more editing, the edit page sends back to the request.
    edit = client.get(f"/portal/mdf/requests/{request.pk}/edit/")
    assert (edit.status_code, edit["Location"]) == (302, f"/portal/mdf/requests/{request.pk}/")


def test_a_draft_is_edited_and_submitted_from_the_form(client_a, world):
    request = draft(world, ("场地", "3000.00"), ("餐饮", "1000.00"))
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/requests/{request.pk}/edit/"

    page = client.get(url)
    submitted = client.post(
        url,
        {**request_form(world, (1, "场地", "2500.00"), (2, "物料", "500.00")), "submit": "1"},
        follow=True,
    )
    request.refresh_from_db()

    assert page.context["lines_form"]["line-2-amount"].value() == D("1000.00")
    assert page.context["form"]["expected_leads"].value() == 20  # an edit keeps its estimates
    assert submitted.redirect_chain == [(f"/portal/mdf/requests/{request.pk}/", 302)]
    assert flashed(submitted) == [f"{request.number} submitted for approval."]
    assert (request.status, request.requested_amount) == (RequestStatus.SUBMITTED, D("3000.00"))
    assert list(request.lines.values_list("description", flat=True)) == ["场地", "物料"]


def test_field_and_line_errors_show_where_they_belong_and_nothing_is_saved(client_a, world):
    client = _english(client_a, world["dealer"])

    refused = client.post(
        NEW,
        {
            **request_form(
                world, (1, "场地", "3000.00"), (2, "餐饮", "-5.00"), starts_on="2026-12-10"
            ),
            "ends_on": "2026-12-09",
            "save": "1",
        },
    )
    # Row 2 left empty: the service's third line is the page's fourth row.
    skipped = client.post(
        NEW,
        {**request_form(world, (1, "场地", "3000.00"), (3, "餐饮", "200"), (4, "", "80.00"))},
    )

    assert refused.status_code == 200
    assert feedback(refused, "ends_on") == ["The activity cannot end before it starts."]
    assert row_errors(refused, "line-2") == [
        "Enter an amount above zero with at most two decimals."
    ]
    assert row_errors(refused, "line-1") == []
    assert refused.context["mdf_request"] is None
    assert refused.context["lines_form"]["line-1-description"].value() == "场地"
    assert row_errors(skipped, "line-4") == ["Describe the budget item."]
    assert row_errors(skipped, "line-3") == []
    assert not MdfRequest.objects.exists()


def test_no_lines_or_more_than_is_available_is_refused_above_the_lines(client_a, world):
    client = _english(client_a, world["dealer"])

    empty = client.post(NEW, {**request_form(world), "save": "1"})
    too_much = client.post(NEW, {**request_form(world, (1, "展台", "10000.01")), "submit": "1"})

    assert empty.context["lines_form"].rows_errors == ["Add at least one budget line."]
    assert 'id="line-errors"><div>Add at least one budget line.</div>' in empty.content.decode()
    assert too_much.context["lines_form"].rows_errors == [
        "¥10,000.01 is more than the ¥10,000.00 available in this fund."
    ]
    assert "¥10,000.01 is more than the ¥10,000.00 available" in too_much.content.decode()
    # Saving and submitting are one unit: the refused submit left no draft behind.
    assert not MdfRequest.objects.exists()


def test_an_approved_request_is_cancelled_and_releases_but_not_once_claimed(client_a, world):
    request = approved(world, ("场地", "3000.00"))
    claim = claimed(world, "2000.00")
    client = _english(client_a, world["dealer"])

    detail = client.get(f"/portal/mdf/requests/{request.pk}/")
    cancelled = client.post(
        f"/portal/mdf/requests/{request.pk}/cancel/", {"reason": "活动取消"}, follow=True
    )
    kept = client.post(f"/portal/mdf/requests/{claim.request_id}/cancel/", follow=True)
    request.refresh_from_db()

    assert b"Cancel the request and release the funds" in detail.content
    assert (detail.context["can_claim"], detail.context["live_claim"]) == (True, None)
    assert flashed(cancelled) == [f"{request.number} cancelled."]
    assert request.status == RequestStatus.CANCELLED
    assert request.status_changes.first().reason == "活动取消"
    assert flashed(kept) == ["This request has been claimed; it can no longer be cancelled."]
    assert MdfRequest.objects.get(pk=claim.request_id).status == RequestStatus.APPROVED
    # Only the claimed request's 2,000.00 is still reserved.
    assert totals(world["allocation"])[1] == D("2000.00")


# --- proof of performance -----------------------------------------------------------------------


def test_proof_is_uploaded_through_the_form_and_downloaded_by_the_partner(client_a, world):
    request = approved(world)
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/requests/{request.pk}/"

    uploaded = client.post(
        url + "evidence/",
        {"kind": "photo", "note": "现场", "file": SimpleUploadedFile("现场照片.png", PNG)},
        follow=True,
    )
    evidence = MdfEvidence.objects.get(request=request)
    download = client.get(f"/portal/mdf/evidence/{evidence.pk}/")

    assert uploaded.redirect_chain == [(url, 302)]
    assert flashed(uploaded) == ["现场照片.png uploaded."]
    assert uploaded.context["missing"] == ["Attendee list", "Invoice"]
    assert (evidence.kind, evidence.note, evidence.uploaded_by) == (
        "photo",
        "现场",
        world["dealer"],
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png"
    )
    assert download["Cache-Control"] == "private, no-store"


def test_a_file_that_is_not_what_its_name_says_is_refused_at_the_field(client_a, world):
    request = approved(world)
    client = _english(client_a, world["dealer"])

    refused = client.post(
        f"/portal/mdf/requests/{request.pk}/evidence/",
        {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PNG)},
    )
    not_yet = client.post(
        f"/portal/mdf/requests/{draft(world).pk}/evidence/",
        {"kind": "invoice", "file": SimpleUploadedFile("发票.pdf", PDF)},
    )

    assert refused.status_code == 200
    assert feedback(refused, "file") == ["发票.pdf is a PNG file but is named .pdf."]
    assert not_yet.status_code == 200
    assert "Proof is uploaded for approved requests." in not_yet.content.decode()
    assert not MdfEvidence.objects.exists()


# --- claims -------------------------------------------------------------------------------------


def test_a_claim_with_two_invoices_through_the_form(client_a, world):
    request = proven(world, ("场地", "3000.00"), ("餐饮", "1000.00"))
    onboarding_complete_all(partner=world["partner"])
    deal = register(world["dealer"])
    order = make_order(world["partner"], (make_product(), 1))
    stranger_order = make_order(make_partner(), (make_product(), 1))
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/requests/{request.pk}/claim/"

    page = client.get(url)
    foreign = client.post(
        url,
        claim_form((1, "A-1", DAY, "100.00", "某"), orders=[str(stranger_order.pk)]),
    )
    sent = client.post(
        url,
        claim_form(
            (1, "044031900111 12345678", DAY, "2800.00", "杭州国际会议中心"),
            (4, "044031900111 12345679", DAY, "950.50", "杭州某餐饮有限公司"),
            deals=[str(deal.pk)],
            orders=[str(order.pk)],
        ),
        follow=True,
    )
    claim = MdfClaim.objects.get(request=request)
    detail_again = client.get(f"/portal/mdf/requests/{request.pk}/")

    assert page.status_code == 200
    assert list(page.context["form"].fields["orders"].queryset) == [order]
    assert list(page.context["form"].fields["deals"].queryset) == [deal]
    assert foreign.status_code == 200
    assert feedback(foreign, "orders") == [
        f"Select a valid choice. {stranger_order.pk} is not one of the available choices."
    ]
    assert sent.redirect_chain == [(f"/portal/mdf/claims/{claim.pk}/", 302)]
    assert flashed(sent) == [f"{claim.number} submitted; the vendor will review it."]
    assert (claim.status, claim.claimed_amount, claim.created_by) == (
        ClaimStatus.SUBMITTED,
        D("3750.50"),
        world["dealer"],
    )
    assert list(claim.invoices.values_list("number", "issued_on", "amount", "issuer")) == [
        ("044031900111 12345678", date(2026, 12, 10), D("2800.00"), "杭州国际会议中心"),
        ("044031900111 12345679", date(2026, 12, 10), D("950.50"), "杭州某餐饮有限公司"),
    ]
    assert (claim.leads, claim.new_customers, claim.revenue) == (25, 3, D("180000.00"))
    assert (list(claim.deals.all()), list(claim.orders.all())) == ([deal], [order])
    assert "¥3,750.50" in sent.content.decode()
    assert b"Settlement (PDF)" not in sent.content
    assert detail_again.context["live_claim"] == claim
    assert detail_again.context["can_claim"] is False
    assert client.get(f"/portal/mdf/requests/{request.pk}/claim/").status_code == 302


def test_bad_invoices_are_refused_at_their_row(client_a, world):
    first = proven(world, ("场地", "2000.00"))
    claim_submit(
        first, [InvoiceIn("No. 8801", date(2026, 12, 10), D("2000.00"), "某")], user=world["dealer"]
    )
    second = proven(world, ("场地", "2000.00"))
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/requests/{second.pk}/claim/"

    # Row 2 left empty: the third row is the service's second invoice.
    late = client.post(
        url,
        claim_form((1, "B-1", DAY, "100.00", "某"), (3, "B-2", "2026-12-11", "100.00", "某")),
    )
    reused = client.post(
        url,
        claim_form((2, "B-1", DAY, "100.00", "某"), (5, "no8801", DAY, "100.00", "某")),
    )
    too_much = client.post(url, claim_form((1, "B-1", DAY, "2000.01", "某")))

    assert row_errors(late, "invoice-3") == [
        "The invoice date must be within the activity (2026-12-10 – 2026-12-10)."
    ]
    assert row_errors(late, "invoice-1") == row_errors(late, "invoice-2") == []
    assert row_errors(reused, "invoice-5") == ["Invoice no8801 has already been claimed."]
    assert row_errors(reused, "invoice-2") == []
    assert too_much.context["invoices_form"].rows_errors == [
        "The invoices add up to ¥2,000.01, more than the ¥2,000.00 approved."
    ]
    assert MdfClaim.objects.filter(request=second).count() == 0


def test_a_claim_without_the_required_proof_says_what_is_missing(client_a, world):
    request = approved(world)
    evidence_add(request, SimpleUploadedFile("a.png", PNG), kind="photo", user=world["dealer"])
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/requests/{request.pk}/claim/"

    page = client.get(url)
    refused = client.post(url, claim_form((1, "C-1", DAY, "100.00", "某")))

    assert page.context["missing"] == ["Attendee list", "Invoice"]
    assert refused.context["form"].non_field_errors() == [
        "Upload the proof this activity needs first: Attendee list, Invoice."
    ]
    assert "Upload the proof this activity needs first" in refused.content.decode()
    assert not MdfClaim.objects.exists()


def test_the_settlement_pdf_of_a_settled_claim(client_a, world):
    claim = claimed(world, "3800.00")
    client = _english(client_a, world["dealer"])
    url = f"/portal/mdf/claims/{claim.pk}/settlement.pdf"
    waiting = client.get(url)
    finance = make_user(Role.FINANCE)
    claim_approve(claim, user=finance)
    claim_settle(claim, actor=finance)

    detail = client.get(f"/portal/mdf/claims/{claim.pk}/")
    pdf = client.get(url)

    assert waiting.status_code == 404
    assert detail.status_code == 200
    assert detail.context["printable"] is True
    assert b"Settlement (PDF)" in detail.content
    assert "Into the prepaid wallet" in detail.content.decode()
    assert history(claim) == ["submitted", "approved", "settled"]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'inline; filename="mdf-settlement-{claim.number}.pdf"'
    assert pdf["Cache-Control"] == "private, no-store"


# --- home ---------------------------------------------------------------------------------------


def test_the_home_page_shows_each_allocation_and_its_latest_movements(client_a, world):
    request = approved(world, ("场地", "3000.00"))
    client = _english(client_a, world["dealer"])

    home = client.get(HOME)
    filtered = client.get(HOME, {"status": "draft"})
    allocation = home.context["allocations"][0]

    assert (allocation.allocated, allocation.reserved, allocation.available) == (
        D("10000.00"),
        D("3000.00"),
        D("7000.00"),
    )
    assert [(e.kind, e.amount, e.reference) for e in allocation.recent_entries] == [
        ("reserve", D("3000.00"), request.number),
        ("allocate", D("10000.00"), ""),
    ]
    assert "¥7,000.00" in home.content.decode()
    assert list(home.context["page"].object_list) == [request]
    assert list(filtered.context["page"].object_list) == []


def test_no_new_request_button_without_an_open_fund(client_a, in_a):
    partner = make_partner()
    user = make_user(Role.PARTNER_USER, partner=partner)
    make_fund(code="elsewhere")  # active, but no allocation for this partner
    client = _english(client_a, user)

    home = client.get(HOME)
    form = client.get(NEW)

    assert home.context["can_request"] is False
    assert b"New request" not in home.content
    assert list(form.context["form"].fields["fund"].queryset) == []


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx)


def test_the_home_page_has_a_bounded_query_count(client_a, world):
    client = _english(client_a, world["dealer"])
    approved(world, ("场地", "500.00"))
    claimed(world, "500.00")
    few = _home_queries(client)
    fund_allocate(make_fund(code="mdf-2026-h2"), world["partner"], D("5000.00"))
    for _ in range(2):
        approved(world, ("场地", "500.00"))
        claimed(world, "500.00")

    many = _home_queries(client)

    assert MdfRequest.objects.count() == 6
    assert many == few
    assert few <= 14


# --- who may open what --------------------------------------------------------------------------


Call = tuple[str, str, Callable[[], dict[str, Any]]]


def _portal_calls(request: MdfRequest, evidence: MdfEvidence, claim: MdfClaim) -> list[Call]:
    pk = request.pk
    return [
        ("get", reverse("portal_mdf:home"), dict),
        ("get", reverse("portal_mdf:request_new"), dict),
        ("get", reverse("portal_mdf:request_detail", args=[pk]), dict),
        ("get", reverse("portal_mdf:request_edit", args=[pk]), dict),
        ("post", reverse("portal_mdf:request_edit", args=[pk]), lambda: {"title": "x"}),
        ("post", reverse("portal_mdf:request_submit", args=[pk]), dict),
        ("post", reverse("portal_mdf:request_cancel", args=[pk]), lambda: {"reason": "x"}),
        (
            "post",
            reverse("portal_mdf:evidence_add", args=[pk]),
            lambda: {"kind": "photo", "file": SimpleUploadedFile("x.png", PNG)},
        ),
        ("get", reverse("portal_mdf:evidence_download", args=[evidence.pk]), dict),
        ("get", reverse("portal_mdf:claim_new", args=[pk]), dict),
        (
            "post",
            reverse("portal_mdf:claim_new", args=[pk]),
            lambda: claim_form((1, "Z-9", DAY, "10.00", "某")),
        ),
        ("get", reverse("portal_mdf:claim_detail", args=[claim.pk]), dict),
        ("get", reverse("portal_mdf:claim_pdf", args=[claim.pk]), dict),
    ]


def _send(client: Client, method: str, url: str, data: Callable[[], dict[str, Any]]) -> Any:
    return client.get(url, data()) if method == "get" else client.post(url, data())


def _statuses(client: Client, calls: list[Call]) -> list[int]:
    return [_send(client, *call).status_code for call in calls]


def test_portal_urls_are_mounted_where_the_pages_expect(in_a):
    assert reverse("portal_mdf:home") == "/portal/mdf/"
    assert reverse("portal_mdf:request_new") == "/portal/mdf/requests/new/"
    assert reverse("portal_mdf:evidence_download", args=[7]) == "/portal/mdf/evidence/7/"
    assert reverse("portal_mdf:claim_pdf", args=[7]) == "/portal/mdf/claims/7/settlement.pdf"


def test_nobody_but_the_partner_opens_its_funds(client_a, client_b, world, vendor_admin):
    claim = claimed(world, "1500.00")
    request = claim.request
    claim_approve(claim, user=make_user(Role.FINANCE))  # printable: the PDF is there to take
    evidence = request.evidence.first()
    # A second claim-free approved request of the owner: claim_new is open on it.
    open_request = approved(world, ("场地", "800.00"))
    calls = _portal_calls(request, evidence, claim)
    open_calls = _portal_calls(open_request, evidence, claim)
    by_id = [*calls[2:], open_calls[9], open_calls[10]]
    stranger_partner = make_partner()
    stranger = make_user(Role.PARTNER_ADMIN, partner=stranger_partner)
    fund_allocate(world["fund"], stranger_partner, D("5000.00"))
    before = totals(world["allocation"])

    owner = _statuses(login(Client(HTTP_HOST="alpha.localhost"), world["dealer"]), calls[:3])
    anonymous = [_send(Client(HTTP_HOST="alpha.localhost"), *call) for call in calls + by_id[-2:]]
    vendor = _statuses(login(Client(HTTP_HOST="alpha.localhost"), vendor_admin), calls + by_id[-2:])
    manager = _statuses(login(Client(HTTP_HOST="alpha.localhost"), world["manager"]), calls[:3])
    client = _english(client_a, stranger)
    other_partner = _statuses(client, by_id)
    listing = client.get(HOME)

    assert owner == [200, 200, 200]
    assert [r.status_code for r in anonymous] == [302] * 15
    assert all(r["Location"].startswith("/accounts/login/?next=/portal/mdf/") for r in anonymous)
    assert vendor == [403] * 15
    assert manager == [403] * 3
    assert other_partner == [404] * 13
    assert list(listing.context["page"].object_list) == []
    assert [a.partner for a in listing.context["allocations"]] == [stranger_partner]
    assert request.number not in listing.content.decode()
    # Nothing the others tried changed anything.
    request.refresh_from_db()
    open_request.refresh_from_db()
    assert (request.status, open_request.status, request.title) == (
        RequestStatus.APPROVED,
        RequestStatus.APPROVED,
        "杭州渠道研讨会",
    )
    assert MdfEvidence.objects.filter(request__in=[request, open_request]).count() == 3
    assert MdfClaim.objects.count() == 1
    assert totals(world["allocation"]) == before

    # Last: after a request on bravo's host the connection stays in bravo's schema.
    with schema_context("bravo"):
        bravo_user = make_user(Role.PARTNER_ADMIN, partner=make_partner())
        login(client_b, bravo_user)
    bravo = _statuses(client_b, by_id)
    bravo_home = client_b.get(HOME)

    assert bravo == [404] * 13
    assert list(bravo_home.context["page"].object_list) == []
    assert list(bravo_home.context["allocations"]) == []


def test_a_new_request_leaves_its_estimates_blank_to_fill_in(client_a, world):
    form = _english(client_a, world["dealer"]).get(NEW).context["form"]

    assert (form["expected_leads"].value(), form["expected_revenue"].value()) == (None, None)
