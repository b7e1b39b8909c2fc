"""Review pages and documents are for vendor staff of the same vendor only."""

import pytest
from django_tenants.utils import schema_context

from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .conftest import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_application(regions):
    application = make_application(regions)
    document = application.documents.get()
    return {
        "list": "/partners/applications/",
        "detail": f"/partners/applications/{application.pk}/",
        "document": f"/partners/applications/documents/{document.pk}/",
        "review": f"/partners/applications/{application.pk}/review/",
        "approve": f"/partners/applications/{application.pk}/approve/",
        "reject": f"/partners/applications/{application.pk}/reject/",
        "application": application,
    }


GETS = ["list", "detail", "document"]
POSTS = ["review", "approve", "reject"]


@pytest.mark.parametrize("role", [Role.PARTNER_ADMIN, Role.PARTNER_USER])
def test_partner_users_are_refused(client_a, alpha_application, role):
    login(client_a, make_user(role, partner=make_partner()))

    codes = [client_a.get(alpha_application[k]).status_code for k in GETS]
    codes += [client_a.post(alpha_application[k], {"reason": "x"}).status_code for k in POSTS]

    alpha_application["application"].refresh_from_db()
    assert codes == [403] * 6
    assert alpha_application["application"].status == "submitted"


def test_anonymous_visitors_are_sent_to_login(client_a, alpha_application):
    responses = [client_a.get(alpha_application[k]) for k in GETS]
    responses += [client_a.post(alpha_application[k], {"reason": "x"}) for k in POSTS]

    assert [r.status_code for r in responses] == [302] * 6
    assert all(r["Location"].startswith("/accounts/login/") for r in responses)


def test_another_vendor_cannot_reach_the_application_or_its_files(client_b, alpha_application):
    with schema_context("bravo"):
        login(client_b, make_user(Role.ADMIN))

    codes = [client_b.get(alpha_application[k]).status_code for k in GETS[1:]]
    codes += [client_b.post(alpha_application[k], {"reason": "x"}).status_code for k in POSTS]
    listing = client_b.get(alpha_application["list"])

    assert codes == [404] * 5
    assert listing.status_code == 200
    assert listing.context["page"].paginator.count == 0


def test_join_page_of_another_vendor_shows_its_own_regions(client_b, regions):
    page = client_b.get("/join/")

    assert page.status_code == 200
    assert list(page.context["form"].fields["province"].queryset) == []
