"""Announcements are looked up here with their receipts, files and history. They are written,
published and withdrawn on the announcement pages, which tell partners as they do."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import LookupOnlyAdmin, ReadOnlyInline, StatusHistoryInline

from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementReceipt,
    AnnouncementStatusChange,
)


class ReceiptInline(ReadOnlyInline):
    model = AnnouncementReceipt
    fields = readonly_fields = ("user", "read_at", "acknowledged_at")


class AttachmentInline(ReadOnlyInline):
    model = AnnouncementAttachment
    fields = readonly_fields = ("original_name", "content_type", "size", "uploaded_at")


class AnnouncementHistoryInline(StatusHistoryInline):
    model = AnnouncementStatusChange


@admin.register(Announcement)
class AnnouncementAdmin(LookupOnlyAdmin):
    list_display = [
        "title",
        "kind",
        "importance",
        "status",
        "publish_at",
        "ack_due",
        "published_at",
    ]
    list_filter = ["status", "kind", "importance", "published_at"]
    search_fields = ["title", "title_en", "summary"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline, AnnouncementHistoryInline, ReceiptInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Announcement._meta.fields] + ["tiers", "regions"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)
