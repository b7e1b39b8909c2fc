"""Market funds in the vendor portal over HTTP: the request queue and its approval steps (the
fund ledger moving exactly, refusals reaching the user), claim review and settlement into the
wallet, proof and settlement downloads, the funds and their totals, who may do what, isolation
between partners' channel managers and between vendors, and bounded query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from mdf.claims import InvoiceIn, claim_approve, claim_submit
from mdf.ledger import fund_allocate
from mdf.models import (
    ClaimStatus,
    MdfAllocation,
    MdfClaim,
    MdfEvidence,
    MdfRequest,
    RequestStatus,
    SettledAs,
)
from mdf.requests import request_approve, request_submit
from orders.ledger import balances
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .test_claims import DAY, proven
from .test_evidence import PNG
from .test_ledger import make_fund, totals
from .test_requests import draft

pytestmark = pytest.mark.django_db

D = Decimal


def _english(client: Client, user: User) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def flashed(response: Any) -> list[str]:
    """The messages shown on the page a POST redirected to (posted with follow=True)."""
    return [str(m) for m in response.context["messages"]]


def status_of(fund_request: MdfRequest) -> str:
    return MdfRequest.objects.get(pk=fund_request.pk).status


def history(fund_request: MdfRequest) -> list[tuple[str, str]]:
    return list(fund_request.status_changes.order_by("pk").values_list("to_status", "reason"))


def submitted(world: dict[str, Any], *lines: tuple[str, str]) -> MdfRequest:
    return request_submit(draft(world, *lines), user=world["dealer"])


def claimed(
    world: dict[str, Any], amount: str = "3800.00", number: str = "S-1", asked: str = "4000.00"
) -> MdfClaim:
    """A submitted claim of `amount` against a proven request approved for `asked`."""
    return claim_submit(
        proven(world, ("场地", asked)),
        [InvoiceIn(number, DAY, D(amount), "杭州国际会议中心")],
        user=world["dealer"],
    )


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- requests: approving ------------------------------------------------------------------------


def test_the_channel_manager_approves_less_with_a_reason_and_the_reservation_moves(client_a, world):
    # Given a submitted request for 4,000.00 (3,000.00 + 1,000.00)
    fund_request = submitted(world)
    client = _english(client_a, world["manager"])
    url = reverse("mdf:request_approve", args=[fund_request.pk])

    # When the channel manager opens it, then approves 3,500.00: without a reason, with three
    # decimals, then with a reason
    detail = client.get(reverse("mdf:request_detail", args=[fund_request.pk]))
    no_reason = client.post(url, {"amount": "3500.00"}, follow=True)
    after_no_reason = (status_of(fund_request), totals(world["allocation"]))
    too_precise = client.post(url, {"amount": "3500.001", "reason": "缩减"}, follow=True)
    approved = client.post(url, {"amount": "3500.00", "reason": "餐饮预算过高"}, follow=True)
    after = client.get(reverse("mdf:request_detail", args=[fund_request.pk]))

    # Then the reason is asked for and nothing moves, and with it exactly 3,500.00 is reserved
    assert detail.status_code == 200
    assert detail.context["can_decide"] is True
    assert f'formaction="{url}"'.encode() in detail.content
    assert flashed(no_reason) == ["Say why."]
    assert after_no_reason == (
        RequestStatus.SUBMITTED,
        (D("10000.00"), 0, 0, 0, 0, D("10000.00")),
    )
    assert flashed(too_precise) == ["Ensure that there are no more than 2 decimal places."]
    assert approved.redirect_chain == [(reverse("mdf:request_detail", args=[fund_request.pk]), 302)]
    assert flashed(approved) == [
        f"{fund_request.number} approved: ¥3,500.00 is reserved in the partner's fund."
    ]
    saved = MdfRequest.objects.get(pk=fund_request.pk)
    assert (saved.status, saved.approved_amount) == (RequestStatus.APPROVED, D("3500.00"))
    assert totals(world["allocation"]) == (D("10000.00"), D("3500.00"), 0, 0, 0, D("6500.00"))
    assert history(fund_request)[-1] == ("approved", "餐饮预算过高")
    assert after.context["can_decide"] is False
    assert f'formaction="{url}"'.encode() not in after.content
    assert after.context["allocation"].available == D("6500.00")


def test_above_the_threshold_marketing_approves_and_its_approval_reserves(client_a, world):
    # Given a request for 8,000.00, above the fund's 5,000.00 marketing threshold
    fund_request = submitted(world, ("展位", "8000.00"))
    manager = _english(client_a, world["manager"])
    url = reverse("mdf:request_approve", args=[fund_request.pk])

    # When the channel manager approves 7,000.00 with a reason
    first = manager.post(url, {"amount": "7000.00", "reason": "展位缩小"}, follow=True)
    reserved_between = totals(world["allocation"])[1]
    manager_again = manager.post(url)
    manager_page = manager.get(reverse("mdf:request_detail", args=[fund_request.pk]))
    # and marketing finds it waiting, and approves it without an amount
    marketing = _english(Client(HTTP_HOST="alpha.localhost"), world["marketing"])
    waiting = marketing.get(reverse("mdf:requests"), {"waiting": "me"})
    marketing_page = marketing.get(reverse("mdf:request_detail", args=[fund_request.pk]))
    final = marketing.post(url, follow=True)

    # Then nothing is reserved until marketing's approval, which reserves the manager's amount
    assert flashed(first) == [
        f"{fund_request.number} approved for ¥7,000.00; above the fund's threshold it now "
        "waits for marketing."
    ]
    assert reserved_between == D("0.00")
    assert manager_again.status_code == 403  # the manager's step is done
    assert manager_page.context["can_decide"] is False
    assert list(waiting.context["page"].object_list) == [fund_request]
    assert (marketing_page.context["can_decide"], marketing_page.context["ceiling"]) == (
        True,
        D("7000.00"),
    )
    assert flashed(final) == [
        f"{fund_request.number} approved: ¥7,000.00 is reserved in the partner's fund."
    ]
    assert status_of(fund_request) == RequestStatus.APPROVED
    assert totals(world["allocation"]) == (D("10000.00"), D("7000.00"), 0, 0, 0, D("3000.00"))
    assert [s for s, _r in history(fund_request)] == [
        "draft",
        "submitted",
        "manager_ok",
        "approved",
    ]


def test_an_approval_beyond_the_balance_is_refused_with_the_balance(client_a, world):
    # Given 9,000.00 of the 10,000.00 reserved and a third request for 4,500.00
    first, second, third = (submitted(world, ("广告", "4500.00")) for _ in range(3))
    request_approve(first, user=world["manager"])
    request_approve(second, user=world["manager"])
    client = _english(client_a, world["manager"])

    # When the channel manager approves the third
    refused = client.post(reverse("mdf:request_approve", args=[third.pk]), follow=True)

    # Then the refusal says what is left, and nothing more is reserved
    assert flashed(refused) == ["Only ¥1,000.00 of this fund is available; ¥4,500.00 was asked."]
    assert status_of(third) == RequestStatus.SUBMITTED
    assert totals(world["allocation"]) == (D("10000.00"), D("9000.00"), 0, 0, 0, D("1000.00"))


def test_sending_back_and_rejecting_need_a_reason(client_a, world):
    # Given two submitted requests
    to_return, to_reject = submitted(world), submitted(world)
    client = _english(client_a, world["manager"])
    return_url = reverse("mdf:request_return", args=[to_return.pk])
    reject_url = reverse("mdf:request_reject", args=[to_reject.pk])

    # When the channel manager sends one back and rejects the other, first without a reason
    silent_return = client.post(return_url, {"reason": "  "}, follow=True)
    silent_reject = client.post(reject_url, follow=True)
    statuses_after_silence = (status_of(to_return), status_of(to_reject))
    returned = client.post(return_url, {"reason": "请补充预算明细"}, follow=True)
    rejected = client.post(reject_url, {"reason": "不符合本季度重点"}, follow=True)

    # Then the reason is asked for, and given, it is recorded; nothing is reserved
    assert flashed(silent_return) == flashed(silent_reject) == ["Say why."]
    assert statuses_after_silence == (RequestStatus.SUBMITTED, RequestStatus.SUBMITTED)
    assert flashed(returned) == [f"{to_return.number} sent back to the partner for changes."]
    assert flashed(rejected) == [f"{to_reject.number} rejected."]
    assert history(to_return)[-1] == ("returned", "请补充预算明细")
    assert history(to_reject)[-1] == ("rejected", "不符合本季度重点")
    assert totals(world["allocation"])[1] == D("0.00")


def test_the_queue_puts_waiting_requests_first_and_filters_what_waits_for_me(
    client_a, world, vendor_admin
):
    # Given requests at each step, of the manager's partner and of another manager's partner
    decided = request_approve(submitted(world), user=world["manager"])
    at_manager = submitted(world)
    at_marketing = request_approve(submitted(world, ("展位", "6000.00")), user=world["manager"])
    other_partner = make_partner(channel_manager=world["other_manager"])
    fund_allocate(world["fund"], other_partner, D("5000.00"))
    other_dealer = make_user(Role.PARTNER_USER, partner=other_partner)
    elsewhere = request_submit(draft({**world, "dealer": other_dealer}), user=other_dealer)
    draft(world)  # the dealer's own until submitted: in no vendor queue below

    def rows(user: User, query: str = "") -> list[MdfRequest]:
        client = _english(Client(HTTP_HOST="alpha.localhost"), user)
        return list(client.get(f"/mdf/{query}").context["page"].object_list)

    # When each decider opens the queue, with and without "waiting for my decision"
    admin_queue = rows(vendor_admin)
    manager_queue = rows(world["manager"])

    # Then waiting requests come first, newest first, and each sees what it can decide now
    assert admin_queue == [elsewhere, at_marketing, at_manager, decided]
    assert manager_queue == [at_marketing, at_manager, decided]
    assert rows(world["manager"], "?waiting=me") == [at_manager]
    assert rows(world["marketing"], "?waiting=me") == [at_marketing]
    assert rows(vendor_admin, "?waiting=me") == [elsewhere, at_marketing, at_manager]
    assert rows(make_user(Role.SALES), "?waiting=me") == []
    assert rows(world["other_manager"], "?waiting=me") == [elsewhere]
    assert rows(vendor_admin, "?status=approved") == [decided]
    assert rows(vendor_admin, f"?q={at_manager.number}") == [at_manager]
    assert rows(vendor_admin, f"?fund={world['fund'].pk}&status=submitted") == [
        elsewhere,
        at_manager,
    ]


# --- claims -------------------------------------------------------------------------------------


def test_finance_approves_a_claim_in_part_and_settles_it_into_the_wallet(client_a, world):
    # Given a claim of 3,800.00 against a request approved for 4,000.00
    claim = claimed(world)
    finance = make_user(Role.FINANCE)
    client = _english(client_a, finance)
    detail_url = reverse("mdf:claim_detail", args=[claim.pk])
    approve_url = reverse("mdf:claim_approve", args=[claim.pk])
    settle_url = reverse("mdf:claim_settle", args=[claim.pk])
    wallet_before = balances(world["partner"])["prepaid"]

    # When finance approves 3,500.00, first without a reason
    review = client.get(detail_url)
    no_reason = client.post(approve_url, {"amount": "3500.00"}, follow=True)
    status_after_no_reason = MdfClaim.objects.get(pk=claim.pk).status
    approved = client.post(approve_url, {"amount": "3500.00", "reason": "餐饮超标"}, follow=True)
    ledger_after_approval = totals(world["allocation"])

    # Then the part is approved with its reason; the reservation turns into the claim
    assert (review.context["can_audit"], review.context["settle_form"]) == (True, None)
    assert flashed(no_reason) == ["Say why."]
    assert status_after_no_reason == ClaimStatus.SUBMITTED
    assert flashed(approved) == [f"{claim.number} approved for ¥3,500.00."]
    assert ledger_after_approval == (D("10000.00"), 0, D("3500.00"), 0, 0, D("6500.00"))
    assert approved.context["settle_form"] is not None
    assert approved.context["can_audit"] is False

    # When marketing (who reviews but does not pay) and then finance settle it
    marketing = _english(Client(HTTP_HOST="alpha.localhost"), world["marketing"])
    marketing_page = marketing.get(detail_url)
    marketing_settle = marketing.post(settle_url, {"settled_as": "wallet"})
    no_reference = client.post(settle_url, {"settled_as": "payout"}, follow=True)
    bad_choice = client.post(settle_url, {"settled_as": "cash"}, follow=True)
    status_before_settling = MdfClaim.objects.get(pk=claim.pk).status
    settled = client.post(settle_url, {"settled_as": "wallet"}, follow=True)
    twice = client.post(settle_url, {"settled_as": "wallet"}, follow=True)

    # Then only finance settles, a payout needs its reference, and the wallet is credited once
    assert marketing_page.context["settle_form"] is None
    assert marketing_settle.status_code == 403
    assert flashed(no_reference) == ["Enter the bank transfer's reference for a payout."]
    assert flashed(bad_choice) == [
        "Select a valid choice. cash is not one of the available choices."
    ]
    assert status_before_settling == ClaimStatus.APPROVED
    assert flashed(settled) == [
        f"{claim.number} settled: ¥3,500.00 was credited to the wallet of "
        f"{world['partner'].display_name}."
    ]
    assert flashed(twice) == ["Only approved claims are settled, once."]
    saved = MdfClaim.objects.get(pk=claim.pk)
    assert (saved.status, saved.settled_as, saved.ledger_entry.amount) == (
        ClaimStatus.SETTLED,
        SettledAs.WALLET,
        D("3500.00"),
    )
    assert balances(world["partner"])["prepaid"] == wallet_before + D("3500.00")
    assert totals(world["allocation"]) == (D("10000.00"), 0, 0, D("3500.00"), 0, D("6500.00"))


def test_a_payout_is_recorded_with_its_reference_and_a_rejection_needs_a_reason(client_a, world):
    # Given two claims: one approved in full, one waiting
    to_pay = claimed(world, "1000.00", "P-1")
    to_reject = claimed(world, "2000.00", "R-1")
    finance = make_user(Role.FINANCE)
    claim_approve(to_pay, user=finance)
    wallet_before = balances(world["partner"])["prepaid"]
    client = _english(client_a, finance)
    reject_url = reverse("mdf:claim_reject", args=[to_reject.pk])

    # When finance records the payout and rejects the other claim, first without a reason
    paid = client.post(
        reverse("mdf:claim_settle", args=[to_pay.pk]),
        {"settled_as": "payout", "payout_reference": " ICBC-77 "},
        follow=True,
    )
    silent = client.post(reject_url, {"reason": ""}, follow=True)
    rejected = client.post(reject_url, {"reason": "发票抬头不符"}, follow=True)

    # Then the payout leaves the wallet alone; the rejection keeps the reservation
    assert flashed(paid) == [
        f"{to_pay.number} settled: the payout of ¥1,000.00 (ICBC-77) was recorded."
    ]
    saved = MdfClaim.objects.get(pk=to_pay.pk)
    assert (saved.status, saved.settled_as, saved.payout_reference, saved.ledger_entry) == (
        ClaimStatus.SETTLED,
        SettledAs.PAYOUT,
        "ICBC-77",
        None,
    )
    assert balances(world["partner"])["prepaid"] == wallet_before
    assert flashed(silent) == ["Say why."]
    assert flashed(rejected) == [
        f"{to_reject.number} rejected; the request's reservation stays for a new claim."
    ]
    assert MdfClaim.objects.get(pk=to_reject.pk).status == ClaimStatus.REJECTED
    # 1,000.00 paid; the rejected claim's request keeps its 4,000.00 reserved
    assert totals(world["allocation"]) == (
        D("10000.00"),
        D("4000.00"),
        0,
        D("1000.00"),
        0,
        D("5000.00"),
    )


def test_the_claims_queue_puts_waiting_claims_first_and_searches_invoices(
    client_a, world, vendor_admin
):
    # Given a settled, an approved and a waiting claim
    finance = make_user(Role.FINANCE)
    paid = claimed(world, "1000.00", "A-1", asked="1000.00")
    claim_approve(paid, user=finance)
    client = _english(client_a, finance)
    client.post(reverse("mdf:claim_settle", args=[paid.pk]), {"settled_as": "wallet"})
    to_pay = claimed(world, "1000.00", "B-2", asked="1000.00")
    claim_approve(to_pay, user=finance)
    waiting = claimed(world, "1000.00", "C-3", asked="1000.00")

    def rows(query: str = "") -> list[MdfClaim]:
        return list(client.get(f"/mdf/claims/{query}").context["page"].object_list)

    # When finance opens the queue; Then review, then payment, then the rest
    assert rows() == [waiting, to_pay, paid]
    assert rows("?status=approved") == [to_pay]
    assert rows("?q=b-2") == [to_pay]
    assert rows(f"?q={world['partner'].name}") == [waiting, to_pay, paid]


# --- downloads ----------------------------------------------------------------------------------


def test_proof_downloads_exactly_and_the_settlement_pdf_once_approved(
    client_a, world, vendor_admin
):
    # Given a waiting claim whose request has a photo
    claim = claimed(world)
    photo = MdfEvidence.objects.get(request=claim.request, kind="photo")
    client = _english(client_a, vendor_admin)
    pdf_url = reverse("mdf:claim_pdf", args=[claim.pk])

    # When vendor staff download the photo and ask for the PDF before and after approval
    download = client.get(reverse("mdf:evidence_download", args=[photo.pk]))
    pdf_before = client.get(pdf_url)
    page_before = client.get(reverse("mdf:claim_detail", args=[claim.pk]))
    claim_approve(claim, user=make_user(Role.FINANCE))
    pdf = client.get(pdf_url)
    page_after = client.get(reverse("mdf:claim_detail", args=[claim.pk]))

    # Then the file is the bytes uploaded, private; the PDF exists only for a decided claim
    assert download.status_code == 200
    assert body(download) == PNG
    assert download["Content-Disposition"] == 'attachment; filename="a.png"'
    assert download["Content-Type"] == "image/png"
    assert download["Cache-Control"] == "private, no-store"
    request_page = client.get(reverse("mdf:request_detail", args=[claim.request_id]))
    assert reverse("mdf:evidence_download", args=[photo.pk]).encode() in request_page.content
    assert request_page.context["missing_proof"] == []
    assert pdf_before.status_code == 404
    assert pdf_url.encode() not in page_before.content
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="mdf-settlement-{claim.number}.pdf"'
    assert pdf["Cache-Control"] == "private, no-store"
    assert pdf_url.encode() in page_after.content
    assert b"Settlement (PDF)" in page_after.content


# --- funds --------------------------------------------------------------------------------------


def test_funds_show_their_totals_to_each_user_as_far_as_they_see(client_a, world, vendor_admin):
    # Given the world's partner with 4,000.00 reserved and another manager's partner
    request_approve(submitted(world), user=world["manager"])
    other_partner = make_partner(channel_manager=world["other_manager"])
    fund_allocate(world["fund"], other_partner, D("2500.00"))
    empty = make_fund(code="mdf-2027-draft", budget="50000.00")

    def funds(user: User) -> dict[str, tuple[Decimal, ...]]:
        client = _english(Client(HTTP_HOST="alpha.localhost"), user)
        return {
            f.code: (
                f.budget,
                f.total_allocated,
                f.total_reserved,
                f.total_claimed,
                f.total_paid,
                f.total_expired,
                f.total_available,
            )
            for f in client.get(reverse("mdf:funds")).context["funds"]
        }

    # When the admin and each channel manager open the funds and the fund's page
    admin_detail = _english(client_a, vendor_admin).get(
        reverse("mdf:fund_detail", args=[world["fund"].pk])
    )
    manager_detail = _english(Client(HTTP_HOST="alpha.localhost"), world["manager"]).get(
        reverse("mdf:fund_detail", args=[world["fund"].pk])
    )

    # Then the admin sees every allocation; a channel manager only his partners'
    zero = D("0.00")
    assert funds(vendor_admin) == {
        "mdf-2026": (D("100000.00"), D("12500.00"), D("4000.00"), zero, zero, zero, D("8500.00")),
        empty.code: (D("50000.00"), zero, zero, zero, zero, zero, zero),
    }
    assert funds(world["manager"])["mdf-2026"] == (
        D("100000.00"),
        D("10000.00"),
        D("4000.00"),
        zero,
        zero,
        zero,
        D("6000.00"),
    )
    assert funds(world["other_manager"])["mdf-2026"][1:3] == (D("2500.00"), zero)
    assert [a.partner for a in admin_detail.context["page"]] == sorted(
        [world["partner"], other_partner], key=lambda p: p.name
    )
    assert admin_detail.context["totals"]["total_allocated"] == D("12500.00")
    assert admin_detail.context["total_available"] == D("8500.00")
    assert f'href="/admin/mdf/mdffund/{world["fund"].pk}/change/"'.encode() in admin_detail.content
    assert [a.partner for a in manager_detail.context["page"]] == [world["partner"]]
    assert manager_detail.context["total_available"] == D("6000.00")
    assert b"/admin/mdf/" not in manager_detail.content


# --- isolation ----------------------------------------------------------------------------------


def _send(client: Client, method: str, url: str, data: dict[str, str]) -> Any:
    return client.get(url) if method == "get" else client.post(url, data)


def _statuses(client: Client, requests: list[tuple[str, str, dict[str, str]]]) -> list[int]:
    return [_send(client, *r).status_code for r in requests]


def test_only_the_partners_own_vendor_staff_open_its_market_funds(
    client_a, client_b, world, vendor_admin
):
    # Given a waiting request, and an approved claim with its proof, of the world's partner
    waiting = submitted(world, ("场地", "1000.00"))
    claim = claimed(world)
    claim_approve(claim, user=make_user(Role.FINANCE))
    photo = MdfEvidence.objects.filter(request=claim.request).first()
    assert photo is not None
    by_id = [
        ("get", reverse("mdf:request_detail", args=[waiting.pk]), {}),
        ("post", reverse("mdf:request_approve", args=[waiting.pk]), {"amount": "1000.00"}),
        ("post", reverse("mdf:request_return", args=[waiting.pk]), {"reason": "偷看"}),
        ("post", reverse("mdf:request_reject", args=[waiting.pk]), {"reason": "偷看"}),
        ("get", reverse("mdf:claim_detail", args=[claim.pk]), {}),
        ("post", reverse("mdf:claim_approve", args=[claim.pk]), {}),
        ("post", reverse("mdf:claim_reject", args=[claim.pk]), {"reason": "偷看"}),
        ("post", reverse("mdf:claim_settle", args=[claim.pk]), {"settled_as": "wallet"}),
        ("get", reverse("mdf:claim_pdf", args=[claim.pk]), {}),
        ("get", reverse("mdf:evidence_download", args=[photo.pk]), {}),
    ]
    fund_page: tuple[str, str, dict[str, str]] = (
        "get",
        reverse("mdf:fund_detail", args=[world["fund"].pk]),
        {},
    )
    lists = [
        ("get", reverse("mdf:requests"), {}),
        ("get", reverse("mdf:claims"), {}),
        ("get", reverse("mdf:funds"), {}),
        fund_page,
    ]
    everything = lists + by_id
    before = totals(world["allocation"])
    wallet_before = balances(world["partner"])["prepaid"]

    # When the vendor admin, another channel manager, the partner's own user, anyone signed
    # out, and a sales rep try them
    def alpha() -> Client:
        return Client(HTTP_HOST="alpha.localhost")

    owner = _statuses(_english(alpha(), vendor_admin), [r for r in everything if r[0] == "get"])
    outsider = login(alpha(), world["other_manager"])
    other_manager = _statuses(outsider, by_id)
    other_lists = [outsider.get(url) for _m, url, _d in lists]
    partner_user = _statuses(login(alpha(), world["dealer"]), everything)
    anonymous = [_send(alpha(), *r) for r in everything]
    rep = login(alpha(), make_user(Role.SALES))
    rep_posts = _statuses(rep, [r for r in by_id if r[0] == "post"])
    rep_page = rep.get(reverse("mdf:request_detail", args=[waiting.pk]))

    # Then only the vendor's staff who see the partner get anything, and nothing changed
    assert owner == [200] * 8
    assert other_manager == [404] * 10
    assert [list(r.context["page"].object_list) for r in other_lists[:2]] == [[], []]
    assert [f.total_allocated for f in other_lists[2].context["funds"]] == [D("0.00")]
    assert list(other_lists[3].context["page"].object_list) == []
    assert partner_user == [403] * 14
    assert [r.status_code for r in anonymous] == [302] * 14
    assert all(r["Location"].startswith("/accounts/login/?next=/mdf/") for r in anonymous)
    assert rep_posts == [403] * 6
    assert rep_page.context["can_decide"] is False
    assert status_of(waiting) == RequestStatus.SUBMITTED
    assert MdfClaim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert totals(world["allocation"]) == before
    assert balances(world["partner"])["prepaid"] == wallet_before

    # Last: after a request on bravo's host the connection stays in bravo's schema.
    with schema_context("bravo"):
        login(client_b, User.objects.get(email="admin@bravo.test"))
    bravo = _statuses(client_b, [*by_id, fund_page])
    bravo_lists = [client_b.get(url) for _m, url, _d in lists[:3]]

    assert bravo == [404] * 11
    assert [list(r.context["page"].object_list) for r in bravo_lists[:2]] == [[], []]
    assert list(bravo_lists[2].context["funds"]) == []


# --- query counts -------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _another_dealer(world: dict[str, Any]) -> dict[str, Any]:
    """The world again with a new partner, allocated in the same fund, as the dealer."""
    partner = make_partner(channel_manager=world["manager"])
    fund_allocate(world["fund"], partner, D("5000.00"))
    return {
        **world,
        "partner": partner,
        "dealer": make_user(Role.PARTNER_ADMIN, partner=partner),
        "allocation": MdfAllocation.objects.get(fund=world["fund"], partner=partner),
    }


def test_the_request_list_costs_the_same_for_2_and_6_rows(client_a, world, vendor_admin):
    client = login(client_a, vendor_admin)
    for _ in range(2):
        submitted(_another_dealer(world), ("场地", "1000.00"))
    few = _queries(client, "/mdf/")
    for _ in range(4):
        request_approve(
            submitted(_another_dealer(world), ("场地", "1000.00")), user=world["manager"]
        )
    many = _queries(client, "/mdf/")

    assert many == few
    assert few <= 11  # with the notification bell


def test_the_claim_list_costs_the_same_for_2_and_6_rows(client_a, world, vendor_admin):
    client = login(client_a, vendor_admin)
    for n in range(2):
        claimed(_another_dealer(world), "900.00", f"F-{n}")
    few = _queries(client, "/mdf/claims/")
    for n in range(4):
        claim_approve(claimed(_another_dealer(world), "900.00", f"M-{n}"), user=vendor_admin)
    many = _queries(client, "/mdf/claims/")

    assert many == few
    assert few <= 8


def test_the_fund_list_costs_the_same_for_2_and_6_funds(client_a, world, vendor_admin):
    client = login(client_a, world["manager"])
    partner: Partner = world["partner"]

    def funds(count: int, start: int) -> None:
        for n in range(start, start + count):
            fund_allocate(make_fund(code=f"q-{n}"), partner, D("1000.00"))

    funds(1, 0)  # and the world's fund: 2
    few = _queries(client, "/mdf/funds/")
    funds(4, 1)
    many = _queries(client, "/mdf/funds/")

    assert many == few
    assert few <= 7  # with the notification bell
