"""A vendor lead becomes a partner's registration, and winning the deal converts the lead."""

import pytest
from django.utils import translation

from deal_registration.leads import (
    lead_create,
    lead_offer_to,
    offer_accept,
)
from deal_registration.models import DealRegistration, Lead, LeadStatus
from deal_registration.registrations import registration_approve, registration_close
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.conftest import login
from tests.factories import make_user

from .deals import dealer, network_line, shenzhen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_an_accepted_lead_is_registered_prefilled_and_converted_when_won(client_a, in_a):
    admin = make_user(Role.ADMIN)
    partner, user = dealer()
    province = shenzhen().parent
    assert province is not None
    partner.territories.add(province)
    partner.product_lines.add(network_line())
    lead = lead_create(
        actor=admin,
        company_name="深圳湾科技生态园运营有限公司",
        region=shenzhen(),
        industry="real_estate",
        product_line=network_line(),
        contact_name="林主任",
        contact_phone="0755-2666 8888",
        need="园区 5 栋楼的无线覆盖",
        estimated_amount="300000.00",
    )
    offer_accept(lead_offer_to(lead, partner, admin), user)
    _stranger_partner, stranger = dealer()
    login(client_a, user)

    form = client_a.get(f"/portal/deals/new/?lead={lead.pk}")
    posted = client_a.post(
        "/portal/deals/new/",
        {
            "lead": lead.pk,
            "customer_name": "深圳湾科技生态园运营有限公司",
            "region": shenzhen().pk,
            "industry": "real_estate",
            "contact_name": "林主任",
            "contact_phone": "0755-2666 8888",
            "title": "园区无线覆盖",
            "product_line": network_line().pk,
            "estimated_amount": "300000.00",
            "expected_close_date": tenant_today().replace(year=tenant_today().year + 1),
            "stage": "qualification",
            "submit": "1",
        },
    )
    registration = DealRegistration.objects.get(lead=lead)
    login(client_a, stranger)
    stranger_form = client_a.get(f"/portal/deals/new/?lead={lead.pk}")
    registration_approve(registration, actor=admin)
    registration.refresh_from_db()
    registration_close(registration, actor=user, won=True)

    assert form.status_code == 200
    assert 'value="深圳湾科技生态园运营有限公司"' in form.content.decode()
    assert posted.status_code == 302
    assert (registration.partner_id, registration.status) == (partner.pk, "won")
    assert stranger_form.status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CONVERTED


def test_a_rejected_registration_loses_its_lead_and_a_closed_lead_does_not_block_closing(in_a):
    from deal_registration.leads import lead_close
    from deal_registration.registrations import registration_reject

    from .deals import register

    admin = make_user(Role.ADMIN)
    partner, user = dealer()
    province = shenzhen().parent
    assert province is not None
    partner.territories.add(province)
    partner.product_lines.add(network_line())

    def accepted_lead(name: str) -> Lead:
        lead = lead_create(
            actor=admin,
            company_name=name,
            region=shenzhen(),
            industry="retail",
            product_line=network_line(),
            contact_name="林主任",
            need="门店网络",
        )
        offer_accept(lead_offer_to(lead, partner, admin), user)
        return lead

    rejected_lead, closed_lead = (
        accepted_lead("深圳甲乙零售有限公司"),
        accepted_lead("深圳丙丁商贸公司"),
    )
    rejected = register(user, customer_name="深圳甲乙零售有限公司", lead=rejected_lead)
    kept = register(user, customer_name="深圳丙丁商贸公司", lead=closed_lead)
    registration_reject(rejected, actor=admin, reason="客户已有直销合同")
    lead_close(Lead.objects.get(pk=closed_lead.pk), won=None, actor=admin, reason="厂商收回")
    registration_approve(kept, actor=admin)
    kept.refresh_from_db()
    registration_close(kept, actor=user, won=True)

    assert Lead.objects.get(pk=rejected_lead.pk).status == LeadStatus.LOST
    assert Lead.objects.get(pk=closed_lead.pk).status == LeadStatus.CLOSED
    assert DealRegistration.objects.get(pk=kept.pk).status == "won"
