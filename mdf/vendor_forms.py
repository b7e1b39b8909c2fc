"""Forms and list filters of the vendor's market fund pages. The forms only parse what was typed
(amounts as Decimal, at most two decimals); mdf.requests, mdf.claims and mdf.settlement check
everything again and say when a reason or a reference is required."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from deal_registration.registrations import REASON_MAX
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS

from .models import MdfRequest, RequestStatus, SettledAs
from .requests import waiting_for
from .selectors import RequestFilter

WAITING_FOR_ME = "me"


def _reason_field(label: Any) -> forms.CharField:
    # Not required here: the service decides when a reason is needed ("Say why.").
    return forms.CharField(
        label=label,
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to approve"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        required=False,
        help_text=_("Leave empty to approve everything asked; less than that needs a reason."),
    )
    reason = _reason_field(_("Reason"))


class ReasonForm(forms.Form):
    reason = _reason_field(_("Reason"))


class SettleForm(forms.Form):
    settled_as = forms.ChoiceField(
        label=_("Pay as"),
        choices=SettledAs.choices,
        initial=SettledAs.WALLET,
        widget=forms.RadioSelect,
    )
    payout_reference = forms.CharField(
        label=_("Bank transfer reference (for a payout)"), max_length=64, required=False
    )


class VendorRequestFilter(RequestFilter):
    """The request queue's filter: search, status, fund, and "waiting for me" (needs the
    request, `VendorRequestFilter(data, queryset=..., request=request)`)."""

    # Drafts are the partners' own (`requests_visible_to`), so not offered.
    status = django_filters.ChoiceFilter(
        choices=[c for c in RequestStatus.choices if c[0] != RequestStatus.DRAFT],
        label=_("Status"),
        empty_label=_("All"),
    )
    waiting = django_filters.ChoiceFilter(
        choices=[(WAITING_FOR_ME, _("Waiting for my decision"))],
        empty_label=_("All requests"),
        method="waiting_for_me",
        label=_("Show"),
    )

    class Meta(RequestFilter.Meta):
        fields = [*RequestFilter.Meta.fields, "waiting"]

    def waiting_for_me(self, queryset: QuerySet[MdfRequest], name: str, value: str) -> Any:
        if value != WAITING_FOR_ME:
            return queryset
        return queryset.filter(waiting_for(getattr(self.request, "user", None)))
