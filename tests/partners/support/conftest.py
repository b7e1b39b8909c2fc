"""A partner in 上海 with its channel manager, its admin, the user who submits tickets and a
colleague who did not; a second partner with its own admin; builders for tickets through the
services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.support.models import Ticket, TicketCategory
from partners.support.tickets import ticket_submit
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.factories import make_partner, make_user
from tests.trust.images import PNG

PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG)


def pdf(name: str = "检测报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def exe(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE)


@pytest.fixture
def world(in_a: Any) -> dict[str, Any]:
    manager = make_user(Role.CHANNEL_MANAGER, full_name="李经理")
    partner = make_partner(
        name="上海浦江电子有限公司",
        name_en="Shanghai Pujiang Electronics",
        region="上海",
        channel_manager=manager,
        contact_name="钱多多",
        contact_phone="13912345678",
    )
    other = make_partner(name="杭州钱塘数码有限公司", region="浙江")
    return {
        "partner": partner,
        "manager": manager,
        "dealer_admin": make_user(Role.PARTNER_ADMIN, partner=partner, full_name="周强"),
        "dealer": make_user(
            Role.PARTNER_USER, partner=partner, full_name="吴芳", email="wufang@pujiang.example.cn"
        ),
        "colleague": make_user(Role.PARTNER_USER, partner=partner, full_name="郑磊"),
        "other_partner": other,
        "other_admin": make_user(Role.PARTNER_ADMIN, partner=other, full_name="孙海"),
        "other_manager": make_user(Role.CHANNEL_MANAGER, full_name="张经理"),
        "sales": make_user(Role.SALES, full_name="孙浩"),
    }


def submit(world: dict[str, Any], **overrides: Any) -> Ticket:
    values: dict[str, Any] = {
        "user": world["dealer"],
        "category": TicketCategory.PRODUCT_DEFECT,
        "subject": "摄像头夜视模式失灵",
        "description": "客户反馈 IPC-200 夜间画面全黑，已重启无效。",
    }
    values.update(overrides)
    return ticket_submit(**values)


def notes(kind: str = "") -> list[tuple[str, str]]:
    """(recipient e-mail, kind) of every notification written, oldest first."""
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("recipient__email", "kind"))
