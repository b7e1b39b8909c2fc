"""Forms of the ticket pages in both portals. They parse what was typed; the services
(partners.support.tickets, .replies, .articles) check everything again, and their refusals are
put at the field they name (prm.core.forms.attach_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.knowledge.models import Category
from prm.core.bilingual import pick

from .attachments import attachments_check
from .models import TicketCategory, TicketPriority
from .routing import vendor_staff
from .tickets import SUBJECT_MAX, TEXT_MAX

REASON_MAX = 2000
FILES_HELP = _("PDF, PNG or JPEG; up to 5 files of 10 MB each.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AttachmentsMixin:
    """Check the files' types with the other fields, so every error shows at once (the service
    checks them again)."""

    cleaned_data: dict[str, Any]

    def clean_attachments(self) -> list[Any]:
        uploads = self.cleaned_data.get("attachments") or []
        try:
            attachments_check(uploads)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["attachments"]) from exc
        return list(uploads)


def _text(label: Any, *, rows: int = 5, required: bool = True, limit: int = TEXT_MAX) -> Any:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class TicketForm(AttachmentsMixin, forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=TicketCategory.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    description = _text(_("Describe the problem"), rows=8)
    order = forms.CharField(
        label=_("Order no. (optional)"),
        max_length=32,
        required=False,
        help_text=_("One of your company's orders this is about."),
    )
    deal = forms.CharField(
        label=_("Deal registration no. (optional)"),
        max_length=32,
        required=False,
        help_text=_("One of your company's deal registrations this is about."),
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)


class ReplyForm(AttachmentsMixin, forms.Form):
    body = _text(_("Your reply"), rows=4)
    attachments = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)


class ReasonForm(forms.Form):
    reason = _text(_("What is still not fixed?"), rows=3, limit=REASON_MAX)


REPLY = "reply"
ASK = "ask"
NOTE = "note"


class VendorReplyForm(ReplyForm):
    body = _text(_("Message"), rows=4)
    kind = forms.ChoiceField(
        label=_("Send as"),
        choices=[
            (REPLY, _("Reply to the partner")),
            (ASK, _("Reply and wait for the partner's answer")),
            (NOTE, _("Internal note (the partner never sees it)")),
        ],
        initial=REPLY,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    field_order = ["kind", "body", "attachments"]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


class AssignForm(forms.Form):
    owner = StaffChoiceField(label=_("New owner"), queryset=vendor_staff().order_by("full_name"))
    reason = forms.CharField(label=_("Note (optional)"), max_length=REASON_MAX, required=False)


class TriageForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)
    reroute = forms.BooleanField(
        label=_("Route it again"),
        required=False,
        help_text=_("Give it to the owner the routing rules name for the new category."),
    )
    reason = forms.CharField(label=_("Note (optional)"), max_length=REASON_MAX, required=False)


class ResolveForm(forms.Form):
    resolution = _text(_("What was done"), rows=4)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return pick(obj.name, obj.name_en)


class ArticleForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Knowledge-base category"),
        queryset=Category.objects.order_by("position", "code"),
        required=False,
        empty_label=_("FAQ"),
    )
