from django.contrib.sessions.models import Session
from django.utils import timezone

from prm.core.jobs import job


@job("prm.accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Runs in one tenant's schema (the dispatcher queues it once per vendor)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
