"""The public verification page: reachable without login on the vendor's host; a valid, an
expired and an unknown code each say so plainly (unknown: 404); nothing personal beyond the
holder's name and company; throttled per IP; another vendor's host knows no code of ours."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from partners.academy.throttle import VERIFY_LIMIT, verify_throttle_reset
from tests.conftest import login

from .builders import certify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle(tenant_a, tenant_b):
    for schema in ("alpha", "bravo"):
        with schema_context(schema):
            verify_throttle_reset("127.0.0.1")
    yield
    for schema in ("alpha", "bravo"):
        with schema_context(schema):
            verify_throttle_reset("127.0.0.1")


@pytest.fixture
def certificate(world):
    return certify(world["learner"], world["course"])


def _english(client):
    client.cookies["prm_language"] = "en"
    return client


def test_a_valid_code_shows_the_holder_company_course_and_dates(client_a, world, certificate):
    response = _english(client_a).get(f"/certificates/verify/{certificate.display_code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["valid"] is True
    assert response.context["certificate"] == certificate
    for shown in (
        "Valid certificate",
        "吴芳",
        world["partner"].name,
        world["course"].title_en,
        "2026-12-06",
        "2027-12-06",
        certificate.display_code,
    ):
        assert shown in html, shown
    assert world["learner"].email not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_code_may_be_typed_in_the_form_in_any_case_without_dashes(client_a, certificate):
    typed = certificate.code.lower()

    response = client_a.get("/certificates/verify/", {"code": typed})

    assert response.status_code == 200
    assert response.context["certificate"] == certificate


def test_an_expired_certificate_is_clearly_marked_with_its_date(client_a, certificate, today):
    today["day"] = date(2027, 12, 6)

    response = _english(client_a).get(f"/certificates/verify/{certificate.code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["valid"] is False
    assert "Expired: this certificate expired on 2027-12-06" in html
    assert "Valid certificate" not in html


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ-ZZZZ", "not-a-code", "1234"])
def test_an_unknown_code_is_a_404_that_says_so(client_a, certificate, code):
    response = _english(client_a).get("/certificates/verify/", {"code": code})

    assert response.status_code == 404
    assert f"No certificate with the code {code} exists." in response.content.decode()


def test_the_empty_form_asks_for_a_code(client_a, in_a):
    response = client_a.get("/certificates/verify/")

    assert response.status_code == 200
    assert "certificate" not in response.context


def test_lookups_are_throttled_per_address(client_a, certificate):
    url = f"/certificates/verify/{certificate.code}/"
    answers = [client_a.get(url).status_code for _ in range(VERIFY_LIMIT + 1)]

    assert answers == [200] * VERIFY_LIMIT + [429]
    assert client_a.get("/certificates/verify/", {"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 429


def test_another_vendors_host_does_not_know_our_codes(client_a, client_b, world, certificate):
    on_b = client_b.get(f"/certificates/verify/{certificate.display_code}/")

    assert on_b.status_code == 404
    assert "certificate" not in on_b.context


def test_signed_in_people_see_the_same_page(client_a, world, certificate):
    response = login(client_a, world["outsider"]).get(
        f"/certificates/verify/{certificate.display_code}/"
    )

    assert response.status_code == 200
    assert response.context["certificate"] == certificate
