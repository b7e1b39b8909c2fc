"""Background work of the integrations. Celery discovers `prm.integrations.tasks` only: the
task modules are imported here."""

from .outbox_tasks import outbox_deliver, outbox_drain

__all__ = ["outbox_deliver", "outbox_drain"]
