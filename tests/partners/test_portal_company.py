import pytest

from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def test_partner_user_sees_only_own_company(client_a, in_a):
    mine = make_partner(name="本公司", credit_code="91310115MA1H7GXK26")
    make_partner(name="别家公司", credit_code="91440300MA5FXXXX1Y")
    login(client_a, make_user(Role.PARTNER_ADMIN, partner=mine))

    page = client_a.get("/portal/company/").content.decode()

    assert "本公司" in page
    assert "91310115MA1H7GXK26" in page
    assert "别家公司" not in page
    assert "91440300MA5FXXXX1Y" not in page


def test_partner_list_filters_by_status_and_region(client_a, vendor_admin):
    make_partner(name="上海伙伴", region="上海")
    make_partner(name="广东暂停伙伴", region="广东", status="suspended")
    login(client_a, vendor_admin)

    page = client_a.get("/partners/", {"status": "suspended"})
    region = client_a.get("/partners/", {"region": "上海"}, HTTP_HX_REQUEST="true")

    assert [p.name for p in page.context["page"]] == ["广东暂停伙伴"]
    assert [p.name for p in region.context["page"]] == ["上海伙伴"]
    assert region.templates[0].name == "partners/_partner_rows.html"
