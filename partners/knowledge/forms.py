"""Forms of the knowledge pages. They parse what was typed; knowledge.services checks it all again
and its refusals are put back at the field they concern (prm.core.forms.attach_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import PartnerType, Region, Tier

from .models import Article, ArticleKind, Category
from .services import NOTE_MAX, tag_names

ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
CHECKBOXES = {"class": "form-check-input"}


class AudienceForm(forms.Form):
    """Who content is for (partners.audience): each choice left empty means everyone."""

    tiers = forms.ModelMultipleChoiceField(
        label=_("Partner tiers"),
        queryset=Tier.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        help_text=_("None ticked: every tier."),
    )
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        help_text=_("None ticked: every type."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None chosen: every region. Partners match by their province."),
    )

    @staticmethod
    def audience_initial(obj: Any) -> dict[str, Any]:
        return {
            "tiers": list(obj.tiers.all()),
            "partner_types": list(obj.partner_types),
            "regions": list(obj.regions.all()),
        }


class ArticleForm(AudienceForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    summary = forms.CharField(
        label=pgettext_lazy("abstract", "Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences shown in the list and in search results."),
    )
    body = forms.CharField(
        label=_("Body (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Plain text, or HTML pasted from a document: headings, lists, tables and links "
            "are kept, anything else is removed."
        ),
    )
    body_en = forms.CharField(
        label=_("Body (English)"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, e.g. 返利, 价格, 新品."),
    )
    attachment = forms.FileField(
        label=_("Attach a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, PNG or JPEG, at most 20 MB."),
    )
    note = forms.CharField(label=_("What changed"), max_length=NOTE_MAX, required=False)
    # The version the editor opened: saving over someone else's newer one is refused.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages={
            "required": _("Reload the page: this form does not say which version you edited."),
            "invalid": _("Reload the page: this form does not say which version you edited."),
            "min_value": _("Reload the page: this form does not say which version you edited."),
        },
    )

    field_order = [
        "category",
        "kind",
        "title",
        "title_en",
        "summary",
        "body",
        "body_en",
        "tags",
        "tiers",
        "partner_types",
        "regions",
        "attachment",
        "note",
    ]

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        if article is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "category": article.category_id,
                "kind": article.kind,
                "title": article.title,
                "title_en": article.title_en,
                "summary": article.summary,
                "body": article.body,
                "body_en": article.body_en,
                "tags": ", ".join(t.name for t in article.tags.all()),
                "version": article.version,
                **self.audience_initial(article),
            }
        super().__init__(*args, **kwargs)
        if article is not None:
            # Every save of an existing article is a version; its note says what changed.
            self.fields["note"].required = True
            self.fields["note"].help_text = _("Kept with this version in the history.")
            self.fields["version"].required = True
        else:
            self.fields["note"].help_text = _("Optional, e.g. where the text comes from.")

    def article_fields(self) -> dict[str, Any]:
        """The cleaned values as knowledge.services takes them."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "kind": data["kind"],
            "title": data["title"],
            "title_en": data["title_en"],
            "summary": data["summary"],
            "body": data["body"],
            "body_en": data["body_en"],
            "tags": tag_names(data["tags"]),
            "tiers": list(data["tiers"]),
            "partner_types": list(data["partner_types"]),
            "regions": list(data["regions"]),
        }


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("What was missing or unclear? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    attachment = forms.FileField(
        label=_("Attach a file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, PNG or JPEG, at most 20 MB."),
    )
