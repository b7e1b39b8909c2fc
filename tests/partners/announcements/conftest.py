"""The knowledge tests' small channel (tiers, provinces, partners of each kind and their users,
an editor) and a helper that writes and publishes an announcement."""

from __future__ import annotations

from typing import Any

from partners.announcements.models import Announcement
from partners.announcements.services import announcement_create, announcement_publish
from tests.partners.knowledge.conftest import kb  # noqa: F401  (the shared fixture)


def announce(editor: Any, *, publish: bool = True, **fields: Any) -> Announcement:
    fields.setdefault("kind", "policy")
    fields.setdefault("title", "通知")
    fields.setdefault("body", "内容")
    announcement = announcement_create(actor=editor, **fields)
    return announcement_publish(announcement, actor=editor) if publish else announcement
