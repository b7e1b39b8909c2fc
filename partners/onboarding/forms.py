from django import forms
from django.utils.translation import gettext_lazy as _

from .models import StepStatus


class StepResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Action"),
        choices=[(StepStatus.DONE, _("Mark done")), (StepStatus.WAIVED, _("Waive"))],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("Required when waiving a step."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("status") == StepStatus.WAIVED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why this step is waived."))
        return data
