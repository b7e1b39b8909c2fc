"""Fixtures for recruitment tests: regions in vendor A, a throttle-free client address, and
applications built through the same service the /join/ page uses."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from partners.models import Region
from partners.recruitment.models import PartnerApplication
from partners.recruitment.services import Upload, application_submit
from partners.recruitment.throttle import join_throttle_reset
from tests.factories import make_credit_code
from tests.trust.images import PNG as PNG  # real pixels: uploads are opened by Pillow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_n = itertools.count(5000)
_ip = itertools.count(1)


def pdf(name: str = "licence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def regions(in_a: Any) -> dict[str, Region]:
    def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
        row, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        return row

    shanghai = region("310000", "上海", Region.Level.PROVINCE)
    jiangsu = region("320000", "江苏", Region.Level.PROVINCE)
    return {
        "上海": shanghai,
        "上海市": region("310100", "上海", Region.Level.CITY, shanghai),
        "江苏": jiangsu,
        "南京": region("320100", "南京", Region.Level.CITY, jiangsu),
    }


@pytest.fixture
def ip(tenant_a: Any) -> Any:
    """A client address of its own, so no test inherits another's throttle count."""
    address = f"10.77.{next(_ip) % 250}.{next(_ip) % 250 + 1}"
    with schema_context("alpha"):
        join_throttle_reset(address)
    yield address
    with schema_context("alpha"):
        join_throttle_reset(address)


def make_application(
    regions: dict[str, Region], *, documents: int = 1, **fields: Any
) -> PartnerApplication:
    n = next(_n)
    data = {
        "legal_name": f"申请公司{n}有限公司",
        "name_en": f"Applicant {n} Co., Ltd.",
        "credit_code": make_credit_code(n),
        "partner_type": "dealer",
        "province": regions["上海"],
        "city": regions["上海市"],
        "business_scope": "智能门锁销售与安装",
        "address": "上海市浦东新区张江路1号",
        "contact_name": "王强",
        "contact_phone": "13800000000",
        "contact_email": f"contact{n}@applicant.example.cn",
        **fields,
    }
    uploads = [Upload("business_license", pdf())] if documents else []
    return application_submit(data=data, uploads=uploads, ip="10.0.0.1")
