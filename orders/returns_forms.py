"""Forms of the return pages; the services in `orders.returns` check everything again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Warehouse
from .returns import REASON_MAX, ReturnableLine, quantity_field


class ReturnRequestForm(forms.Form):
    """One quantity field per order line (named by `quantity_field`), then the reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is wrong with the goods, or why they are not needed."),
        error_messages={"required": _("Say why the goods are returned.")},
    )

    def __init__(self, *args: Any, lines: Sequence[ReturnableLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        reason = self.fields.pop("reason")
        for item in self.lines:
            self.fields[quantity_field(item.line.pk)] = forms.IntegerField(
                label=item.line.product.sku,
                min_value=0,
                max_value=item.returnable,
                initial=0,
                required=False,
                disabled=item.returnable == 0,
            )
        self.fields["reason"] = reason

    def rows(self) -> list[tuple[ReturnableLine, forms.BoundField]]:
        """Each line with its quantity field, for the table of the page."""
        return [(item, self[quantity_field(item.line.pk)]) for item in self.lines]

    def quantities(self) -> dict[int, int]:
        return {
            item.line.pk: self.cleaned_data.get(quantity_field(item.line.pk)) or 0
            for item in self.lines
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(self.quantities().values()):
            raise forms.ValidationError(_("Return at least one unit."))
        return cleaned


class ReturnRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReturnReceiveForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Received into"), queryset=Warehouse.objects.filter(is_active=True)
    )
