import re
from datetime import UTC, datetime

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import strip_tags

from partners.models import Partner, PartnerStatus, Tier
from partners.services import partner_set_status
from prm.core.workflow import InvalidTransition
from tests.conftest import login
from tests.factories import make_partner

pytestmark = pytest.mark.django_db


def test_status_change_writes_audit_event_with_actor_old_new_and_reason(vendor_admin):
    partner = make_partner(name="审计伙伴")

    with set_actor(vendor_admin):
        partner_set_status(
            partner=partner, status=PartnerStatus.SUSPENDED, actor=vendor_admin, reason="逾期"
        )

    event = LogEntry.objects.get_for_object(partner).order_by("-timestamp", "-pk").first()
    assert event.action == LogEntry.Action.UPDATE
    assert event.actor == vendor_admin
    assert event.changes_dict == {"status": ["active", "suspended"]}
    assert event.additional_data == {"reason": "逾期"}
    history = partner.status_changes.first()
    assert (history.from_status, history.to_status, history.reason, history.actor) == (
        "active",
        "suspended",
        "逾期",
        vendor_admin,
    )


def test_refused_transition_writes_nothing(vendor_admin):
    partner = make_partner(status=PartnerStatus.TERMINATED)
    events = LogEntry.objects.get_for_object(partner).count()
    changes = partner.status_changes.count()

    with pytest.raises(InvalidTransition):
        partner_set_status(partner=partner, status=PartnerStatus.ACTIVE, actor=vendor_admin)

    partner.refresh_from_db()
    assert partner.status == PartnerStatus.TERMINATED
    assert LogEntry.objects.get_for_object(partner).count() == events
    assert partner.status_changes.count() == changes


def test_create_is_audited_and_shown_on_the_record_page(client_a, vendor_admin):
    with set_actor(vendor_admin):
        partner = make_partner(name="页面审计伙伴")
        partner_set_status(partner=partner, status=PartnerStatus.SUSPENDED, reason="资质过期")
    login(client_a, vendor_admin)

    page = client_a.get(f"/partners/{partner.pk}/")

    assert LogEntry.objects.get_for_object(partner).filter(action=LogEntry.Action.CREATE).exists()
    assert [e.changes_dict.get("status") for e in page.context["audit_events"]][:1] == [
        ["active", "suspended"]
    ]
    assert "资质过期" in page.content.decode()


def test_admin_edit_is_audited_and_listed_in_admin_history(client_a, vendor_admin):
    partner = make_partner(name="后台伙伴", region="上海")
    login(client_a, vendor_admin)
    form = client_a.get(f"/admin/partners/partner/{partner.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "region": "江苏",
            "partner_type": partner.partner_type,
            "name": partner.name,
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        }
    )
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}

    response = client_a.post(f"/admin/partners/partner/{partner.pk}/change/", data)
    history = client_a.get(f"/admin/partners/partner/{partner.pk}/auditlog/")

    assert response.status_code == 302
    event = LogEntry.objects.get_for_object(partner).order_by("-pk").first()
    assert event.changes_dict["region"] == ["上海", "江苏"]
    assert event.actor == vendor_admin
    assert history.status_code == 200
    assert "江苏" in history.content.decode()


def _visible(html: str) -> str:
    """The text a reader sees: block elements apart, inline ones run together."""
    return " ".join(strip_tags(re.sub(r"</?(div|ul|li)\b[^>]*>", " ", html)).split())


def _event(partner, action, changes):
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Partner),
        object_pk=str(partner.pk),
        object_id=partner.pk,
        object_repr=str(partner),
        action=action,
        changes=changes,
        timestamp=datetime(2024, 5, 1, 2, 30, tzinfo=UTC),
    )


def test_timeline_shows_readable_values_and_leaves_out_the_id(in_a):
    # Given a creation and a change stored the way auditlog stores them: every value a string
    tier = Tier.objects.create(code="audit-gold", name="审计金牌", name_en="Gold", rank=990)
    partner = make_partner(name="显示伙伴")
    created = _event(
        partner,
        LogEntry.Action.CREATE,
        {
            "id": ["None", str(partner.pk)],
            "name": ["None", "显示伙伴"],
            "credit_code": ["None", "None"],
            "status": ["None", "applied"],
            "credit_limit": ["None", "791250.00"],
            "balances_frozen": ["None", "False"],
        },
    )
    changed = _event(
        partner,
        LogEntry.Action.UPDATE,
        {
            "balances_frozen": ["False", "True"],
            "tier": ["None", str(tier.pk)],
            "terminated_at": ["None", "2024-05-01 02:30:00.123456"],
            "contact_name": ["", "王经理"],
        },
    )

    # When the timeline is rendered in Chinese, in the tenant's time zone
    with (
        translation.override("zh-hans"),
        timezone.override("Asia/Shanghai"),
        CaptureQueriesContext(connection) as queries,
    ):
        html = render_to_string(
            "includes/audit_timeline.html", {"audit_events": [changed, created]}
        )

    # Then no raw Python values or ids show, and related names cost one query for all events
    assert _visible(html) == (
        "审计记录 "
        "2024-05-01 10:30:00 · 系统 · 修改 "
        "等级: — → 审计金牌 联系人: — → 王经理 余额已冻结: 否 → 是 清退时间: — → 2024-05-01 10:30 "
        "2024-05-01 10:30:00 · 系统 · 创建 "
        "企业全称: 显示伙伴 状态: 已申请 信用额度: 791,250.00 余额已冻结: 否"
    )
    assert len(queries) == 1
