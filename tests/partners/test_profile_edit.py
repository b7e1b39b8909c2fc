"""Vendor staff keep a partner's profile current; each role edits what it is responsible for."""

from decimal import Decimal

import pytest
from django.utils import translation

from partners.models import PartnerStatus, ProductLine, Region
from prm.accounts.roles import Role
from prm.core.audit import AuditChange, audit_changes, audit_events_for
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    province = Region.objects.create(code="T33", name="浙江", level=Region.Level.PROVINCE)
    city = Region.objects.create(
        code="T3301", name="杭州", level=Region.Level.CITY, parent=province
    )
    line = ProductLine.objects.create(code="t-locks", name="智能门锁")
    return {
        "manager": manager,
        "partner": make_partner(channel_manager=manager, credit_limit=Decimal("1000.00")),
        "city": city,
        "line": line,
    }


def _form(setup, **extra):
    return {
        "name_en": "Edited Co.",
        "partner_type": "dealer",
        "region": "浙江",
        "city": "杭州",
        "territories": [setup["city"].pk],
        "product_lines": [setup["line"].pk],
        **extra,
    }


def test_channel_manager_edits_territory_and_lines_but_not_credit(client_a, setup):
    login(client_a, setup["manager"])
    url = f"/partners/{setup['partner'].pk}/edit/"

    form = client_a.get(url).context["form"]
    response = client_a.post(url, _form(setup, credit_limit="999999.00"))

    partner = setup["partner"]
    partner.refresh_from_db()
    assert "credit_limit" not in form.fields
    assert "channel_manager" not in form.fields
    assert response.status_code == 302
    assert (partner.name_en, partner.region, partner.credit_limit) == (
        "Edited Co.",
        "浙江",
        Decimal("1000.00"),
    )
    assert list(partner.territories.all()) == [setup["city"]]
    with translation.override("en"):
        shown = [c for _e, cs in audit_changes(audit_events_for(partner)) for c in cs]
    assert AuditChange("territories", "—", "杭州") in shown
    assert AuditChange("authorized product lines", "—", "智能门锁") in shown


def test_finance_sets_credit_terms(client_a, setup):
    login(client_a, make_user(Role.FINANCE))

    client_a.post(
        f"/partners/{setup['partner'].pk}/edit/",
        _form(setup, credit_limit="50000.50", payment_terms_days="45"),
    )

    partner = setup["partner"]
    partner.refresh_from_db()
    assert (partner.credit_limit, partner.payment_terms_days) == (Decimal("50000.50"), 45)


def test_who_cannot_edit(client_a, setup):
    url = f"/partners/{setup['partner'].pk}/edit/"
    for user in (
        make_user(Role.CHANNEL_MANAGER),
        make_user(Role.SALES),
        make_user(Role.PARTNER_ADMIN, partner=setup["partner"]),
    ):
        login(client_a, user)
        assert client_a.post(url, _form(setup)).status_code in (403, 404)
    setup["partner"].refresh_from_db()
    assert setup["partner"].name_en == ""


def test_bad_input_stays_at_the_field_and_terminated_profiles_are_final(
    client_a, setup, vendor_admin
):
    login(client_a, vendor_admin)
    url = f"/partners/{setup['partner'].pk}/edit/"

    bad = client_a.post(url, _form(setup, partner_type="shop", credit_limit="-1"))
    terminated = make_partner(status=PartnerStatus.TERMINATED)
    final = client_a.post(
        f"/partners/{terminated.pk}/edit/",
        _form(setup, credit_limit="1", payment_terms_days="0"),
    )

    assert set(bad.context["form"].errors) == {"partner_type", "credit_limit", "payment_terms_days"}
    assert final.status_code == 200
    assert final.context["form"].non_field_errors()
    terminated.refresh_from_db()
    assert terminated.name_en == ""


def test_each_role_changes_only_its_own_part(setup, vendor_admin):
    from django.core.exceptions import PermissionDenied

    from partners.services import partner_update

    finance = make_user(Role.FINANCE)
    partner = setup["partner"]

    with pytest.raises(PermissionDenied):
        partner_update(partner=partner, actor=finance, changes={"territories": [setup["city"]]})
    with pytest.raises(PermissionDenied):
        partner_update(partner=partner, actor=setup["manager"], changes={"credit_limit": 1})
    partner_update(partner=partner, actor=finance, changes={"credit_limit": Decimal("2.00")})
    partner_update(partner=partner, actor=setup["manager"], changes={"city": "宁波"})

    partner.refresh_from_db()
    assert (partner.credit_limit, partner.city, list(partner.territories.all())) == (
        Decimal("2.00"),
        "宁波",
        [],
    )
