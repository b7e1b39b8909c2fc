"""Forms of the announcement pages. They parse what was typed; announcements.services checks it
again (dates, importance) and its refusals are put back at their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.knowledge.forms import ACCEPT, CHECKBOXES, AudienceForm

from .models import Announcement, AnnouncementKind, Importance
from .services import REASON_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(AudienceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AnnouncementKind.choices)
    importance = forms.ChoiceField(
        label=_("Importance"),
        choices=Importance.choices,
        initial=Importance.NORMAL,
        widget=forms.RadioSelect(attrs=CHECKBOXES),
        help_text=_("Important ones are also emailed, and each reader must acknowledge them."),
    )
    title = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    summary = forms.CharField(
        label=pgettext_lazy("abstract", "Summary"),
        max_length=300,
        required=False,
        help_text=_("Sent in the notification; the start of the text when left empty."),
    )
    body = forms.CharField(label=_("Body (Chinese)"), widget=forms.Textarea(attrs={"rows": 12}))
    body_en = forms.CharField(
        label=_("Body (English)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=DATETIME,
        help_text=_(
            "Leave empty to publish at once. Otherwise partners see it from this time on and "
            "are notified by the next scheduled run after it."
        ),
    )
    ack_due = forms.DateField(
        label=_("Acknowledge by"),
        required=False,
        widget=DATE,
        help_text=_("Important announcements only; reminders go two days before."),
    )
    attachment = forms.FileField(
        label=_("Attach a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, PNG or JPEG, at most 20 MB."),
    )

    field_order = [
        "kind",
        "importance",
        "title",
        "title_en",
        "summary",
        "body",
        "body_en",
        "publish_at",
        "ack_due",
        "tiers",
        "partner_types",
        "regions",
        "attachment",
    ]

    def __init__(self, *args: Any, announcement: Announcement | None = None, **kwargs: Any) -> None:
        if announcement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": announcement.kind,
                "importance": announcement.importance,
                "title": announcement.title,
                "title_en": announcement.title_en,
                "summary": announcement.summary,
                "body": announcement.body,
                "body_en": announcement.body_en,
                "publish_at": announcement.publish_at,
                "ack_due": announcement.ack_due,
                **self.audience_initial(announcement),
            }
        super().__init__(*args, **kwargs)

    def announcement_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "kind",
                "importance",
                "title",
                "title_en",
                "summary",
                "body",
                "body_en",
                "publish_at",
                "ack_due",
            )
        } | {
            "tiers": list(data["tiers"]),
            "partner_types": list(data["partner_types"]),
            "regions": list(data["regions"]),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
