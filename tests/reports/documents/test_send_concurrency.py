"""Two workers run the hourly job at the same moment (a rerun overlapping a slow run): real
concurrent sessions claim each subscription once, so its report is mailed once."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.db import connection

from prm.accounts.roles import Role
from reports.models import ReportSubscription
from reports.subscriptions import subscriptions_send_due
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_user

from .test_send import MONDAY_0730


def _setup() -> dict[str, int]:
    user = make_user(Role.FINANCE, email="concurrent@alpha.example.cn")
    subscription = ReportSubscription.objects.create(
        user=user, kind="cockpit", frequency="weekly", weekday=0, query="period=month"
    )
    return {"user": user.pk, "subscription": subscription.pk}


def _cleanup(ids: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM reports_reportsubscription WHERE id = %(s)s",
            "DELETE FROM auditlog_logentry WHERE (object_pk = %(s)s::text AND content_type_id = "
            "(SELECT id FROM django_content_type WHERE app_label = 'reports' "
            "AND model = 'reportsubscription')) OR (object_pk = %(u)s::text AND "
            "content_type_id = (SELECT id FROM django_content_type "
            "WHERE app_label = 'accounts' AND model = 'user'))",
            "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = %(u)s",
            "DELETE FROM accounts_user WHERE id = %(u)s",
        ):
            cursor.execute(sql, {"s": ids["subscription"], "u": ids["user"]})


def test_two_runs_at_once_mail_the_report_once(tenant_a: Any) -> None:
    ids = in_thread("alpha", _setup)
    try:
        mail.outbox.clear()
        counts = run_concurrently(
            "alpha",
            [lambda: subscriptions_send_due(now=MONDAY_0730) for _ in range(2)],
        )
        assert sorted(counts) == [0, 1]
        assert [m.to for m in mail.outbox if m.to == ["concurrent@alpha.example.cn"]] == [
            ["concurrent@alpha.example.cn"]
        ]
    finally:
        in_thread("alpha", lambda: _cleanup(ids))
