from datetime import timedelta

from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.utils import timezone

from prm.core.jobs import job

# Successful sign-ins (who, when, from where) are kept a year; failure counters clean themselves.
ACCESS_LOG_DAYS = 365


@job("prm.accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Runs in one tenant's schema (the dispatcher queues it once per vendor)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@job("prm.accounts.tasks.prune_access_logs")
def prune_access_logs() -> int:
    """Runs in one tenant's schema, like clear_expired_sessions."""
    cutoff = timezone.now() - timedelta(days=ACCESS_LOG_DAYS)
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted
