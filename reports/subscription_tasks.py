"""The hourly job that mails scheduled reports; it runs in one vendor's schema at a time (see
prm.core.jobs), in the vendor's time zone.

Beat fires it every hour (`_per_tenant("reports.subscriptions_send", hour="*")`); from 07:00
vendor time it sends what is due that day and not sent yet (reports.subscriptions). Safe to run
twice or on two workers at once: each subscription is claimed before it is sent. Rendering
PDFs takes a while, hence the longer limits; what a run does not reach, the next one sends.
"""

from __future__ import annotations

from django.utils import timezone

from prm.core.jobs import job

from .subscriptions import subscriptions_send_due


@job("reports.subscriptions_send", soft_time_limit=50 * 60, time_limit=55 * 60)
def subscriptions_send() -> int:
    return subscriptions_send_due(now=timezone.now())
