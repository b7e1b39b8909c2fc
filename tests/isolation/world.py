"""The world the matrix asks about: the demo vendor, seeded once per test session and committed,
plus the few rows the demo lacks (a file on a deal activity, a statement, a return, an internal
note with an attachment, integrations...).

P1 is the demo's 华东 (its partner admin is the owner of every object the URLs name), P2 the
demo's 创联, managed by the other channel manager. The vendor gets its own slug, so the demo
seeding test (`seed_demo` on slug "demo") can run in the same session.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django_tenants.utils import schema_context
from PIL import Image

from prm.accounts.roles import Role

from .actors import Actor

SLUG = "isopages"
ALPHA = "alpha"
P1_NAME = "上海华东智能科技有限公司"
P2_NAME = "深圳南山创联科技有限公司"
# Demo logins (reports/demo.py STAFF and partner users) standing for each actor.
STAFF_EMAILS = {
    Actor.CM_OWN: "li.na@demo.localhost",
    Actor.CM_OTHER: "zhang.wei@demo.localhost",
    Actor.FINANCE: "chen.jing@demo.localhost",
    Actor.ORDER_DESK: "liu.yang@demo.localhost",
    Actor.MARKETING: "zhao.min@demo.localhost",
    Actor.SALES: "sun.hao@demo.localhost",
    Actor.OWNER: "partner@huadong.example.cn",
    Actor.P2: "admin@chuanglian.example.cn",
}
P1_USER_EMAIL = "learner.1@academy.example.cn"  # the demo's plain partner user of 华东


@dataclass
class World:
    host: str
    alpha_host: str
    platform_host: str
    ids: dict[str, Any] = field(default_factory=dict)
    users: dict[Actor, int] = field(default_factory=dict)
    # Storage names of private files, for the direct /media/ check.
    files: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.ids[key]
        except KeyError:
            raise KeyError(
                f"the world has no {key!r}: add it in tests/isolation/world.py"
            ) from None


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(data, format="PNG")
    return data.getvalue()


def pdf() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(data, format="PDF")
    return data.getvalue()


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def pdf_upload(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(), content_type="application/pdf")


@contextmanager
def _no_jobs() -> Iterator[None]:
    """Seeding commits: keep its background jobs off the broker (no worker runs them, and one
    from another test run must not find this vendor)."""
    from prm.core import jobs

    with mock.patch.object(jobs, "job_send", return_value=False):
        yield


def world_remove() -> None:
    from prm.tenancy.models import Tenant
    from prm.tenancy.services import vendor_remove

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(schema_name=SLUG).first()
    if tenant is not None:
        vendor_remove(tenant)
    connection.set_schema_to_public()


def world_seed() -> World:
    """Seed the vendor (committed) and return what the matrix needs of it."""
    from reports import demo

    world_remove()  # what an interrupted run left
    with _no_jobs(), mock.patch.object(demo, "SLUG", SLUG):
        demo.seed_demo()
    domain = settings.PRM_BASE_DOMAIN
    world = World(host=f"{SLUG}.{domain}", alpha_host=f"{ALPHA}.{domain}", platform_host=domain)
    with _no_jobs(), schema_context(SLUG), transaction.atomic():
        _collect(world)
    _logo()
    with schema_context(ALPHA):
        from prm.accounts.models import User

        alpha_admin = User.objects.get(role=Role.ADMIN, email=f"admin@{ALPHA}.test").pk
    world.users[Actor.ALPHA_COOKIE] = world.users[Actor.ALPHA_HOST] = alpha_admin
    connection.set_schema_to_public()
    return world


def _logo() -> None:
    from prm.tenancy.models import Tenant

    tenant = Tenant.objects.get(schema_name=SLUG)
    tenant.logo.save("logo.png", ContentFile(png()), save=True)


def _collect(world: World) -> None:
    from partners.models import Partner
    from prm.accounts.models import User

    users = {u.email: u for u in User.objects.all()}
    for actor, email in STAFF_EMAILS.items():
        world.users[actor] = users[email].pk
    world.users[Actor.ADMIN] = User.objects.get(email=f"admin@{SLUG}.localhost").pk
    world.users[Actor.P1_USER] = users[P1_USER_EMAIL].pk
    p1 = Partner.objects.get(name=P1_NAME)
    p2 = Partner.objects.get(name=P2_NAME)
    owner = users[STAFF_EMAILS[Actor.OWNER]]
    admin = User.objects.get(pk=world.users[Actor.ADMIN])
    assert p1.channel_manager_id == world.users[Actor.CM_OWN]
    assert p2.channel_manager_id == world.users[Actor.CM_OTHER]
    assert users[P1_USER_EMAIL].partner_id == p1.pk
    assert users[P1_USER_EMAIL].role == Role.PARTNER_USER
    ids = world.ids
    ids.update(
        p1=p1.pk,
        p2=p2.pk,
        p1_member=world.users[Actor.P1_USER],
        p1_name=p1.name,
        vendor_admin=admin.pk,
        vendor_finance=world.users[Actor.FINANCE],
    )
    _partners(ids, p1, admin)
    _orders(ids, p1, owner, admin)
    _deals(ids, p1, owner)
    _rebates(ids, p1)
    _mdf(ids, p1)
    _academy(ids, p1, owner)
    _content(ids, p1, p2, admin)
    _support(ids, p1, owner, admin)
    _reports(ids, p1, owner, admin)
    _integrations(ids, admin)
    _onboarding(ids, p1)
    world.files = _private_files()


# --- per module ---------------------------------------------------------------------------------


def _partners(ids: dict[str, Any], p1: Any, admin: Any) -> None:
    from partners.agreements.models import Agreement, AgreementStatus
    from partners.models import Qualification
    from partners.programs.models import ProposalStatus, TierProposal
    from partners.recruitment.models import ApplicationDocument

    ids["qualification"] = Qualification.objects.filter(partner=p1).exclude(document="").first().pk
    document = ApplicationDocument.objects.exclude(file="").order_by("pk").first()
    ids["application"] = document.application_id
    ids["application_document"] = document.pk
    ids["agreement"] = Agreement.objects.get(partner=p1, status=AgreementStatus.SIGNED).pk
    ids["agreement_draft"] = Agreement.objects.get(partner=p1, status=AgreementStatus.DRAFT).pk
    # An open tier proposal for P1 (the demo decided P1's): a copy of the last one, proposed.
    last = TierProposal.objects.filter(partner=p1).order_by("-pk").first()
    proposal = TierProposal.objects.create(
        run=last.run,
        partner=p1,
        from_tier=last.from_tier,
        to_tier=last.to_tier,
        score=last.score,
        explanation=last.explanation,
        status=ProposalStatus.PROPOSED,
    )
    ids["proposal"] = proposal.pk


def _orders(ids: dict[str, Any], p1: Any, owner: Any, admin: Any) -> None:
    from orders.cart import cart_add
    from orders.erp.models import ErpConnection
    from orders.models import Order, OrderStatus, Product, Stock, TopUpRequest, Warehouse
    from orders.returns import return_request
    from orders.statements import month_previous, statement_generate
    from prm.tenancy.selectors import tenant_today
    from tests.factories import make_order

    sellable = Product.objects.filter(product_line__partners=p1).order_by("sku").first()
    unlisted = Product.objects.exclude(product_line__partners=p1).order_by("sku").first()
    for product in (sellable, unlisted):
        product.image.save(f"{product.sku}.png", ContentFile(png()), save=True)
    ids["product"], ids["product_unlisted"] = sellable.pk, unlisted.pk
    order = make_order(p1, (sellable, 1), actor=owner)  # submitted: P1 may still cancel it
    ids["order"], ids["order_number"] = order.pk, order.number
    ids["order_line"] = order.lines.get().pk
    ids["warehouse"] = Warehouse.objects.filter(is_active=True).order_by("pk").first().pk
    shipped = Order.objects.filter(partner=p1, status=OrderStatus.COMPLETED).order_by("pk").first()
    ids["order_shipped"] = shipped.pk
    line = shipped.lines.order_by("pk").first()
    ids["return"] = return_request(
        order=shipped, user=owner, quantities={line.pk: 1}, reason="外包装破损 / damaged"
    ).pk
    ids["stock"] = Stock.objects.order_by("pk").first().pk
    ids["top_up"] = TopUpRequest.objects.filter(partner=p1).exclude(proof="").first().pk
    ids["statement"] = statement_generate(partner=p1, period=month_previous(tenant_today())).pk
    ids["erp"] = ErpConnection.objects.filter(is_active=True).first().pk
    # A line in P1's cart, so checkout shows its page.
    cart_add(user=owner, product=sellable, quantity=1)
    ids["sku"] = sellable.sku


def _deals(ids: dict[str, Any], p1: Any, owner: Any) -> None:
    from deal_registration.cosell import activity_add
    from deal_registration.models import (
        DealConflict,
        DealRegistration,
        DealStatus,
        DealTeamMember,
        ExtensionStatus,
        Lead,
        ProtectionExtension,
    )
    from prm.tenancy.selectors import tenant_today

    deal = DealRegistration.objects.get(partner=p1, status=DealStatus.APPROVED)
    ids["deal"] = deal.pk
    ids["deal_number"] = deal.number
    activity = activity_add(
        deal,
        actor=owner,
        kind="file",
        occurred_on=tenant_today(),
        body="方案书 / proposal",
        attachment=pdf_upload("方案书.pdf"),
    )
    ids["deal_activity"] = activity.pk
    ids["deal_extension"] = ProtectionExtension.objects.get(
        registration=deal, status=ExtensionStatus.PENDING
    ).pk
    ids["deal_member"] = DealTeamMember.objects.get(registration=deal).pk
    # A dispute between P1's registration and another partner's that P1's manager also sees.
    conflict = DealConflict.objects.get(other_registration=deal)
    ids["deal_conflict"] = conflict.pk
    rival = conflict.registration
    ids["rival_number"], ids["rival_customer"] = rival.number, rival.customer_name
    ids["rival_partner"] = rival.partner.name
    lead = Lead.objects.get(partner=p1)
    ids["lead"], ids["lead_number"] = lead.pk, lead.number
    ids["deal_won"] = DealRegistration.objects.get(partner=p1, status=DealStatus.WON).pk


def _rebates(ids: dict[str, Any], p1: Any) -> None:
    from prm.tenancy.selectors import tenant_today
    from rebates.models import RebateAccrual, RebateProgram

    accrual = (
        RebateAccrual.objects.filter(partner=p1, amount__gt=0, period_end__lt=tenant_today())
        .order_by("-period_end")
        .first()
    )
    ids["accrual"] = accrual.pk
    ids["period_start"] = accrual.period_start.isoformat()
    ids["program"] = accrual.program_id
    assert RebateProgram.objects.get(pk=accrual.program_id).bands.exists()


def _mdf(ids: dict[str, Any], p1: Any) -> None:
    from mdf.models import ClaimStatus, MdfClaim, MdfEvidence, MdfRequest, RequestStatus

    ids["mdf_request"] = MdfRequest.objects.get(partner=p1, status=RequestStatus.SUBMITTED).pk
    claim = MdfClaim.objects.get(request__partner=p1, status=ClaimStatus.SETTLED)
    ids["mdf_claim"] = claim.pk
    ids["mdf_claimed_request"] = claim.request_id
    ids["mdf_evidence"] = MdfEvidence.objects.filter(request__partner=p1).order_by("pk").first().pk
    ids["fund"] = claim.request.fund_id


def _academy(ids: dict[str, Any], p1: Any, owner: Any) -> None:
    from partners.academy.assignments import assignments_for
    from partners.academy.models import Certificate, Course, LessonFile, QuizAttempt

    assigned = {a.course.pk for a in assignments_for(owner)}
    course = Course.objects.filter(pk__in=assigned, questions__isnull=False).order_by("pk").first()
    ids["course"] = course.pk
    unassigned = Course.objects.exclude(pk__in=assigned).order_by("pk").first()
    ids["course_unassigned"] = unassigned.pk
    lesson_file = LessonFile.objects.filter(lesson__course=course).order_by("pk").first()
    ids["lesson"] = lesson_file.lesson_id
    ids["lesson_file"] = lesson_file.pk
    ids["attempt"] = QuizAttempt.objects.filter(enrollment__user=owner).order_by("pk").first().pk
    certificate = Certificate.objects.filter(user=owner, partner=p1).order_by("pk").first()
    ids["certificate"] = certificate.pk
    ids["certificate_code"] = certificate.display_code


def _content(ids: dict[str, Any], p1: Any, p2: Any, admin: Any) -> None:
    from partners.announcements.attachments import announcement_attachment_add
    from partners.announcements.models import Announcement, AnnouncementStatus
    from partners.announcements.selectors import announcements_visible_to
    from partners.announcements.services import announcement_create, announcement_publish
    from partners.knowledge.attachments import article_attachment_add
    from partners.knowledge.models import Article, ArticleAttachment, ArticleStatus
    from partners.knowledge.selectors import articles_visible_to
    from partners.models import Region
    from prm.accounts.models import User

    reader_p1 = User.objects.filter(partner=p1, role=Role.PARTNER_ADMIN).first()
    reader_p2 = User.objects.filter(partner=p2, role=Role.PARTNER_ADMIN).first()
    for_p1 = articles_visible_to(reader_p1)
    for_p2 = articles_visible_to(reader_p2)
    # An article of P1's audience that P2's is not, and one for every partner.
    ids["article"] = for_p1.exclude(pk__in=for_p2).order_by("pk").first().pk
    ids["article_all"] = for_p1.filter(pk__in=for_p2).order_by("pk").first().pk
    ids["article_draft"] = Article.objects.filter(status=ArticleStatus.DRAFT).order_by("pk")[0].pk
    article = Article.objects.get(pk=ids["article"])
    ids["article_title"] = article.title
    ids["article_attachment"] = article_attachment_add(
        article, pdf_upload("华东资料.pdf"), actor=admin
    ).pk
    shared = ArticleAttachment.objects.filter(article__in=for_p2).order_by("pk").first()
    ids["article_attachment_all"] = shared.pk
    ids["article_version"] = article.versions.order_by("number").first().number
    # An announcement to P1's region only, with an attachment (added while it is a draft).
    east = Region.objects.get(name=p1.region, level=Region.Level.PROVINCE)
    draft = announcement_create(
        actor=admin, kind="policy", title="华东区域通知", body="<p>华东</p>", regions=[east]
    )
    ids["announcement_attachment"] = announcement_attachment_add(
        draft, pdf_upload("通知.pdf"), actor=admin
    ).pk
    announcement_publish(draft, actor=admin)
    ids["announcement"] = draft.pk
    assert not announcements_visible_to(reader_p2).filter(pk=draft.pk).exists()
    ids["announcement_draft"] = announcement_create(
        actor=admin, kind="other", title="草稿", body="<p>草稿</p>"
    ).pk
    ids["announcement_published"] = (
        Announcement.objects.filter(status=AnnouncementStatus.PUBLISHED).order_by("pk").first().pk
    )


def _support(ids: dict[str, Any], p1: Any, owner: Any, admin: Any) -> None:
    from partners.support.models import Ticket, TicketAttachment, TicketStatus
    from partners.support.replies import ticket_reply

    ticket = Ticket.objects.filter(partner=p1, submitter=owner, status=TicketStatus.IN_PROGRESS)[0]
    ids["ticket"] = ticket.pk
    ids["ticket_attachment"] = (
        TicketAttachment.objects.filter(ticket__partner=p1, message__isnull=True).first().pk
    )
    note = ticket_reply(
        ticket, user=admin, body="内部备注 / internal", internal=True, attachments=[png_upload()]
    )
    ids["ticket_note_attachment"] = note.attachments.get().pk
    ids["ticket_resolved"] = Ticket.objects.get(partner=p1, status=TicketStatus.RESOLVED).pk


def _reports(ids: dict[str, Any], p1: Any, owner: Any, admin: Any) -> None:
    from prm.core.models import Notification
    from reports.models import Forecast, ForecastStatus, ReportKind
    from reports.subscriptions import subscription_create

    forecast = Forecast.objects.get(partner=p1, status=ForecastStatus.SUBMITTED)
    ids["forecast"] = forecast.pk
    ids["forecast_line"] = forecast.lines.order_by("pk").first().pk
    ids["cycle_year"], ids["cycle_month"] = forecast.cycle.year, forecast.cycle.month
    ids["subscription"] = subscription_create(
        user=owner, kind=ReportKind.SCOREBOARD, frequency="monthly", day_of_month=1
    ).pk
    ids["notification"] = Notification.objects.filter(recipient=owner).order_by("pk").first().pk


def _integrations(ids: dict[str, Any], admin: Any) -> None:
    from prm.integrations import events as ev
    from prm.integrations.keys import api_key_create
    from prm.integrations.models import Delivery, MessagingChannel, WebhookEndpoint
    from prm.integrations.outbox import outbox_test_event

    key, _token = api_key_create(name="ERP", user=admin, scopes=["orders:read"], actor=admin)
    ids["api_key"] = key.pk
    webhook = WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/hook", secret="x" * 32, event_types=[ev.ORDER_APPROVED]
    )
    channel = MessagingChannel.objects.create(
        name="渠道群",
        kind="wecom",
        webhook_url="http://127.0.0.1:9/send?key=k",
        event_types=[ev.ORDER_APPROVED],
    )
    ids["webhook"], ids["channel"] = webhook.pk, channel.pk
    event = outbox_test_event(webhook=webhook)
    ids["event"] = str(event.pk)
    ids["delivery"] = Delivery.objects.get(event=event).pk


def _onboarding(ids: dict[str, Any], p1: Any) -> None:
    """A step of P1's checklist still open (the demo finished P1's), to be completed. Last, as an
    open step keeps P1 from ordering."""
    from partners.onboarding.models import OnboardingStep, StepStatus

    step = OnboardingStep.objects.filter(partner=p1, status=StepStatus.WAIVED).order_by("pk")[0]
    OnboardingStep.objects.filter(pk=step.pk).update(status=StepStatus.PENDING)
    ids["onboarding_step"] = step.pk


def _private_files() -> list[str]:
    """Storage names of private uploads, one of each kind (for the /media/ check)."""
    from deal_registration.models import DealActivity
    from mdf.models import MdfEvidence
    from orders.models import TopUpRequest
    from partners.models import Qualification
    from partners.support.models import TicketAttachment

    names = [
        Qualification.objects.exclude(document="").first().document.name,
        TopUpRequest.objects.exclude(proof="").first().proof.name,
        MdfEvidence.objects.exclude(file="").first().file.name,
        DealActivity.objects.exclude(attachment="").first().attachment.name,
        TicketAttachment.objects.exclude(file="").first().file.name,
    ]
    return [n for n in names if n]
