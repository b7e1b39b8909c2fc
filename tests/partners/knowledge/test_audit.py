"""The audit trail shows when content was published and which files were attached or removed,
for articles and announcements alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partners.announcements.attachments import (
    announcement_attachment_add,
    announcement_attachment_remove,
)
from partners.announcements.models import AnnouncementAttachment
from partners.announcements.services import announcement_publish
from partners.knowledge.attachments import article_attachment_add, article_attachment_remove
from partners.knowledge.models import ArticleAttachment
from partners.knowledge.publishing import article_publish
from tests.partners.announcements.conftest import announce

from .conftest import write_article

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 64


def _changed(obj):
    """The names of the fields each audit entry of `obj` changed, oldest first."""
    return [
        sorted(entry.changes_dict)
        for entry in LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")
    ]


def _actions(model, pk):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
        )
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def test_publishing_an_article_shows_its_publication_date_in_the_trail(kb):
    article = write_article(kb["editor"], kb["faq"], publish=False)

    article_publish(article, actor=kb["editor"])

    assert _changed(article)[-2:] == [["status"], ["published_at"]]
    entry = LogEntry.objects.get_for_object(article).order_by("-pk").first()
    assert entry is not None
    assert entry.changes_dict["published_at"][0] == "None"


def test_publishing_an_announcement_shows_both_times_in_the_trail(kb):
    at = timezone.now() + timedelta(days=2)
    notice = announce(kb["editor"], publish=False, publish_at=at)

    announcement_publish(notice, actor=kb["editor"])

    assert _changed(notice)[-2:] == [["status"], ["published_at"]]
    scheduled = announce(kb["editor"], publish=False, publish_at=timezone.now() - timedelta(1))
    announcement_publish(scheduled, actor=kb["editor"])
    # A past publishing time became now: that is a change of publish_at too.
    assert _changed(scheduled)[-2:] == [["status"], ["publish_at", "published_at"]]


def test_files_attached_and_removed_are_in_the_trail(kb):
    article = write_article(kb["editor"], kb["faq"])
    notice = announce(kb["editor"], publish=False)

    sheet = article_attachment_add(
        article, SimpleUploadedFile("价格表.pdf", PDF), actor=kb["editor"]
    )
    terms = announcement_attachment_add(
        notice, SimpleUploadedFile("条款.pdf", PDF), actor=kb["editor"]
    )
    terms_pk = terms.pk
    first = LogEntry.objects.get_for_object(sheet).get()
    article_attachment_remove(sheet, actor=kb["editor"])
    announcement_attachment_remove(terms, actor=kb["editor"])

    created, deleted = LogEntry.Action.CREATE, LogEntry.Action.DELETE
    assert _actions(ArticleAttachment, first.object_pk) == [created, deleted]
    assert _actions(AnnouncementAttachment, terms_pk) == [created, deleted]
    assert first.changes_dict["original_name"] == ["None", "价格表.pdf"]
