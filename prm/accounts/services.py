from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import User
from .roles import Role


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    role: Role | str,
    password: str | None = None,
    partner: Any = None,
    language: str = "",
    must_change_password: bool = False,
) -> User:
    user = User(
        email=email.strip().lower(),
        full_name=full_name,
        role=role,
        partner=partner,
        language=language,
        must_change_password=must_change_password,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
