"""The form of the "My report subscriptions" pages. It parses what was chosen; the services
(reports.subscriptions) check everything again, build the report once with the filters, and
their refusals are put at the field they name (prm.core.forms.attach_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .models import Frequency, ReportKind, ReportSubscription
from .subscriptions import kinds_offered, query_clean

DAYS_OF_MONTH = [(d, str(d)) for d in range(1, 29)]


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"))
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekly: on"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        required=False,
        initial=0,
    )
    day_of_month = forms.TypedChoiceField(
        label=_("Monthly: on day"),
        choices=DAYS_OF_MONTH,
        coerce=int,
        required=False,
        initial=1,
        help_text=_("1 to 28, so that every month has the day."),
    )
    query = forms.CharField(
        label=_("Filters"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "The report's filters as in its address (after the question mark); empty for "
            "everything you may see. Dates are left out: each email covers the period "
            "current on the day it is sent."
        ),
    )

    def __init__(
        self, data: Any = None, *, user: Any, instance: ReportSubscription | None = None
    ) -> None:
        initial = None
        if instance is not None:
            initial = {
                "kind": instance.kind,
                "frequency": instance.frequency,
                "weekday": instance.weekday,
                "day_of_month": instance.day_of_month,
                "query": instance.query,
            }
        super().__init__(data, initial=initial)
        labels = dict(ReportKind.choices)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        if instance is not None:
            # The report of a subscription stays; another report is another subscription.
            kind.choices = [(instance.kind, labels[instance.kind])]
            kind.disabled = True
        else:
            kind.choices = [(k, labels[k]) for k in kinds_offered(user)]

    @classmethod
    def prefilled(cls, *, user: Any, params: Any) -> SubscriptionForm:
        """A new subscription as the dashboard's Subscribe button asks for it."""
        form = cls(user=user)
        kind = params.get("kind", "")
        if kind in dict(form.fields["kind"].choices):  # type: ignore[attr-defined]
            form.initial["kind"] = kind
        form.initial["query"] = query_clean(params.get("query", ""))
        return form
