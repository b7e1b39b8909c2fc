"""Invitation and set-password links: a new user chooses a password through the reset flow."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def set_password_url(*, user: User, base_url: str) -> str:
    """base_url is scheme and host of the vendor, e.g. http://demo.localhost:8000."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def invitation_send(*, user: User, base_url: str, inviter_name: str, company: str) -> None:
    """Queue the invitation email for after the surrounding transaction commits."""
    context = {
        "user": user,
        "url": set_password_url(user=user, base_url=base_url),
        "inviter": inviter_name,
        "company": company,
    }
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    body = render_to_string("emails/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
