"""The demo vendor's support desk: routing rules (diversion reports to one channel manager, East
China to another, order problems to the order desk), SLA policies, and eight tickets across the
statuses: new, in progress with an internal note, waiting for the partner, resolved and waiting
for the partner's confirmation, reopened, closed and turned into a knowledge-base draft, closed
automatically, and one that missed both targets and was escalated to level 2.

Timelines are aged step by step (`_age`) so each action happens at a believable hour and within
its SLA target, except the one meant to be late."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from PIL import Image, ImageDraw

from partners.models import Partner, Region
from prm.accounts.models import User
from prm.accounts.roles import Role

from .articles import ticket_to_article
from .models import RoutingRule, SlaPolicy, Ticket, TicketMessage, TicketStatusChange
from .replies import ticket_reply
from .sla import sla_check
from .tickets import ticket_confirm, ticket_reopen, ticket_resolve, ticket_submit

TIMES = (
    "submitted_at",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "auto_close_at",
    "closed_at",
    "escalated_at",
    "last_activity_at",
)


def _photo() -> bytes:
    # A real picture: uploads are opened and verified, not only sniffed (prm/core/files.py).
    image = Image.new("RGB", (320, 240), (90, 90, 96))
    ImageDraw.Draw(image).rectangle((40, 40, 280, 200), outline=(220, 60, 60), width=6)
    data = io.BytesIO()
    image.save(data, format="PNG")
    return data.getvalue()


def _age(ticket: Ticket, hours: float) -> None:
    """Move everything that has happened to the ticket `hours` into the past."""
    delta = timedelta(hours=hours)
    Ticket.objects.filter(pk=ticket.pk).update(**{name: F(name) - delta for name in TIMES})
    TicketMessage.objects.filter(ticket=ticket).update(created_at=F("created_at") - delta)
    TicketStatusChange.objects.filter(ticket=ticket).update(created_at=F("created_at") - delta)
    ticket.refresh_from_db()


def _rules(*, east: User, diversion: User, order_desk: User | None) -> None:
    RoutingRule.objects.create(
        name="窜货举报 / Diversion reports", position=10, category="diversion", owner=diversion
    )
    if order_desk is not None:
        RoutingRule.objects.create(
            name="订单问题 / Order problems", position=15, category="order", owner=order_desk
        )
    east_china = RoutingRule.objects.create(name="华东区 / East China", position=20, owner=east)
    east_china.regions.set(
        Region.objects.filter(level=Region.Level.PROVINCE, name__in=["上海", "江苏", "浙江"])
    )


def _policies(admin: User) -> None:
    SlaPolicy.objects.create(first_response_hours=8, resolution_hours=120, auto_close_days=7)
    SlaPolicy.objects.create(
        priority="urgent", first_response_hours=2, resolution_hours=24, escalate_to=admin
    )
    SlaPolicy.objects.create(category="defect", first_response_hours=4, resolution_hours=72)
    # A category's policy beats a priority's: urgent defects need their own.
    SlaPolicy.objects.create(
        category="defect",
        priority="urgent",
        first_response_hours=2,
        resolution_hours=24,
        escalate_to=admin,
    )
    SlaPolicy.objects.create(
        category="diversion", first_response_hours=4, resolution_hours=48, escalate_to=admin
    )


def _user(partner: Partner) -> User | None:
    return User.objects.filter(partner=partner, is_active=True).order_by("pk").first()


def seed(*, partners: list[Partner], admin: User, rng: random.Random) -> None:
    managers = list(User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("pk"))
    east = managers[0] if managers else admin
    diversion = managers[1] if len(managers) > 1 else east
    order_desk = User.objects.filter(role=Role.ORDER_DESK, is_active=True).order_by("pk").first()
    _rules(east=east, diversion=diversion, order_desk=order_desk)
    _policies(admin)

    people = [u for p in partners if (u := _user(p)) is not None]
    if not people:
        return
    a_user, b_user, c_user = (people * 3)[:3]
    photo = SimpleUploadedFile("故障照片.png", _photo())

    # 1. A defect answered, fixed, confirmed, and turned into a knowledge-base draft.
    fixed = ticket_submit(
        user=a_user,
        category="defect",
        priority="high",
        subject="智能门锁指纹识别率下降",
        description="客户反馈 L8 门锁在低温下指纹识别经常失败，已清洁传感器，问题依旧。",
        attachments=[photo],
    )
    _age(fixed, 3)
    ticket_reply(
        fixed, user=fixed.owner, body="请确认门锁固件版本（设置 → 关于）。", wait_for_partner=True
    )
    _age(fixed, 2)
    ticket_reply(fixed, user=a_user, body="固件版本 3.0.2。")
    _age(fixed, 20)
    ticket_resolve(
        fixed,
        user=fixed.owner,
        resolution="3.0.4 固件修正了低温下的指纹算法，请通过 App 升级后重新录入指纹。",
    )
    _age(fixed, 18)
    ticket_confirm(fixed, user=a_user)
    _age(fixed, 24 * rng.randint(2, 4))
    ticket_to_article(fixed, user=admin)

    # 2. A diversion report being investigated, with an internal note.
    diverted = ticket_submit(
        user=b_user,
        category="diversion",
        subject="发现低价窜货：苏州某门店销售我司 L8 门锁",
        description="苏州园区某门店以低于指导价 18% 的价格销售 L8，包装批次号为 2026-09-A。",
    )
    _age(diverted, 2)
    ticket_reply(diverted, user=diverted.owner, body="已收到，我们将核查该批次的发货记录。")
    ticket_reply(
        diverted,
        user=diverted.owner,
        body="内部：批次 2026-09-A 发往南京金陵，需与其渠道经理确认。",
        internal=True,
    )
    _age(diverted, 5)

    # 3. Resolved, waiting for the partner to confirm.
    pricing = ticket_submit(
        user=a_user,
        category="pricing",
        subject="铂金等级价与报价单不一致",
        description="订货商城 IPC-200 的铂金价比 11 月价格通知高 30 元。",
    )
    _age(pricing, 4)
    ticket_resolve(
        pricing, user=pricing.owner, resolution="价格表已按 11 月通知更正，请刷新后重新下单。"
    )
    _age(pricing, 20)

    # 4. Waiting for the partner's answer.
    # A module below orders reads its numbers through the app registry, not an import.
    order_number = (
        apps.get_model("orders", "Order")
        .objects.filter(partner_id=c_user.partner_id)
        .order_by("-pk")
        .values_list("number", flat=True)
        .first()
    )
    order = ticket_submit(
        user=c_user,
        category="order",
        subject="部分发货后物流信息未更新",
        description="订单部分发货已三天，物流单号查询不到信息。",
        order_number=order_number or "",
    )
    _age(order, 3)
    ticket_reply(
        order, user=order.owner, body="请提供收货人电话后四位以便核对物流。", wait_for_partner=True
    )
    _age(order, 10)

    # 5. Urgent and nobody answered: both targets missed, escalated to level 2 below.
    late = ticket_submit(
        user=b_user,
        category="defect",
        priority="urgent",
        subject="大客户项目摄像头批量离线",
        description="某酒店项目 40 台 IPC-200 今晨起全部离线，客户要求今天给出方案。",
    )
    _age(late, 30)

    # 6. New: a policy suggestion nobody has read yet.
    ticket_submit(
        user=c_user,
        category="policy",
        priority="low",
        subject="建议季度返利提前至季末后 15 天内结算",
        description="目前季度返利在季末后 45 天结算，资金压力较大，建议缩短。",
    )

    # 7. Resolved, but the partner says it is not fixed: reopened.
    reopened = ticket_submit(
        user=a_user,
        category="other",
        subject="申请更新 2027 年度授权证书",
        description="2026 年度授权证书将于月底到期，请更新。",
    )
    _age(reopened, 5)
    ticket_resolve(reopened, user=reopened.owner, resolution="新证书已上传至合作协议页面。")
    _age(reopened, 6)
    ticket_reopen(reopened, user=a_user, reason="证书上的公司名称少了“有限”二字，请更正。")
    _age(reopened, 2)

    # 8. Resolved and never confirmed: closed by itself after seven days.
    quiet = ticket_submit(
        user=b_user,
        category="pricing",
        priority="low",
        subject="促销活动价格何时生效",
        description="双十二促销价格是否从 12 月 10 日零点生效？",
    )
    _age(quiet, 2)
    ticket_resolve(quiet, user=quiet.owner, resolution="促销价格于 12 月 10 日 00:00 起生效。")
    _age(quiet, 24 * 8)

    sla_check()
