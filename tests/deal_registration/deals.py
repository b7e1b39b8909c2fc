"""Builders for deal-registration tests: settled dealers, the customer's region and product line,
and registrations made through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from deal_registration.models import DealRegistration, Industry
from deal_registration.registrations import registration_save, registration_submit
from partners.models import Partner, ProductLine, Region
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.factories import make_partner, make_user


def dealer(**kw: Any) -> tuple[Partner, User]:
    """An active, onboarded partner and its admin user."""
    partner = make_partner(**kw)
    onboarding_complete_all(partner=partner)
    return partner, make_user(Role.PARTNER_ADMIN, partner=partner)


def shenzhen() -> Region:
    province, _created = Region.objects.get_or_create(
        code="440000", defaults={"name": "广东省", "name_en": "Guangdong", "level": "province"}
    )
    city, _created = Region.objects.get_or_create(
        code="440300",
        defaults={"name": "深圳市", "name_en": "Shenzhen", "level": "city", "parent": province},
    )
    return city


def network_line() -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(
        code="network", defaults={"name": "网络", "name_en": "Networking"}
    )
    return line


def fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customer_name": "深圳市腾飞科技有限公司",
        "region": shenzhen(),
        "industry": Industry.MANUFACTURING,
        "contact_name": "王经理",
        "title": "园区网络升级",
        "product_line": network_line(),
        "estimated_amount": Decimal("120000.00"),
        "expected_close_date": tenant_today() + timedelta(days=60),
    }
    values.update(overrides)
    return values


def register(user: User, *, submit: bool = True, **overrides: Any) -> DealRegistration:
    assert user.partner is not None
    registration = DealRegistration(partner=user.partner, **fields(**overrides))
    registration_save(registration, user=user)
    if submit:
        registration = registration_submit(registration, user=user)
    registration.refresh_from_db()
    return registration
