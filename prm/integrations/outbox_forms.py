"""Forms of the webhook and messaging channel pages. They parse what was typed; the services
(prm.integrations.receivers) check it all again and their refusals are put back at the field
they name (prm.core.forms.attach_errors)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from prm.accounts.roles import VENDOR_ROLES, Role

from .egress import validate_receiver_url
from .events import event_choices
from .models import MessagingChannel, MessagingKind, WebhookEndpoint
from .receivers import SECRET_MIN_LENGTH, secret_generate

CHECKBOXES = {"class": "form-check-input"}
# Public http(s) addresses only: a receiver on the server's own network is refused (egress.py).
HTTP_ONLY: list[Callable[[Any], None]] = [
    URLValidator(schemes=["http", "https"]),
    validate_receiver_url,
]


def _events_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_choices(),
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=HTTP_ONLY,
        help_text=_("Receives each event as a signed JSON POST; answer 2xx within 10 seconds."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        min_length=SECRET_MIN_LENGTH,
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Generated for you; the receiver keeps a copy to verify the signature."),
    )
    event_types = _events_field()
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, data: Any = None, *, instance: WebhookEndpoint | None = None) -> None:
        initial: dict[str, Any] = {"secret": secret_generate()}
        if instance is not None:
            initial = {
                "name": instance.name,
                "url": instance.url,
                "event_types": list(instance.event_types),
                "is_active": instance.is_active,
            }
        super().__init__(data, initial=initial)
        if instance is not None:
            secret = self.fields["secret"]
            secret.label = _("New signing secret")
            secret.required = False
            secret.help_text = _("Leave empty to keep the current secret.")


class EmailListField(forms.CharField):
    """Addresses one per line (or separated by commas or spaces)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return [part for part in re.split(r"[\s,;，；]+", text or "") if part]

    def validate(self, value: Any) -> None:
        for address in value:
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValidationError(
                    _("%(address)s is not an email address.") % {"address": address}
                ) from exc


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=MessagingKind.choices)
    webhook_url = forms.URLField(
        label=_("Robot webhook URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=HTTP_ONLY,
        help_text=_("WeCom and DingTalk group robots: the address in the robot's settings."),
    )
    secret = forms.CharField(
        label=_("DingTalk signing secret"),
        max_length=128,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk robots with signing (加签): the secret starting with SEC."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Staff roles"),
        required=False,
        choices=[(r.value, r.label) for r in Role if r in VENDOR_ROLES],
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        help_text=_("Email: every active vendor staff member with one of these roles."),
    )
    emails = EmailListField(
        label=_("Email addresses"),
        required=False,
        help_text=_("Email: more addresses, one per line."),
    )
    event_types = _events_field()
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, data: Any = None, *, instance: MessagingChannel | None = None) -> None:
        initial: dict[str, Any] = {}
        if instance is not None:
            initial = {
                "name": instance.name,
                "kind": instance.kind,
                "webhook_url": instance.webhook_url,
                "roles": list(instance.roles),
                "emails": "\n".join(instance.emails),
                "event_types": list(instance.event_types),
                "is_active": instance.is_active,
            }
        super().__init__(data, initial=initial)
        if instance is not None and instance.secret:
            self.fields["secret"].help_text = _("A secret is set; leave empty to keep it.")
