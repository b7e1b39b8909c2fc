from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import User

from .scopes import READ, RESOURCES, WRITE, scope

ACCESS = {READ: _("read"), WRITE: _("read and write")}


def _user_label(user: User) -> str:
    whose = f" · {user.partner}" if user.partner_id else ""
    return f"{user.full_name} <{user.email}>{whose}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Which system uses it, e.g. “Kingdee sync”.")
    )
    user = UserChoiceField(
        label=_("Acts as"),
        queryset=User.objects.none(),
        help_text=_(
            "The key sees what this person sees: a partner user's key sees only that partner."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[],
    )
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=10_000, initial=600
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True).select_related("partner")
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = users.order_by("partner__name", "full_name", "pk")
        scope_field = self.fields["scopes"]
        assert isinstance(scope_field, forms.MultipleChoiceField)
        scope_field.choices = [
            (scope(resource, access), f"{label}: {ACCESS[access]}")
            for resource, label in RESOURCES.items()
            for access in (READ, WRITE)
        ]
