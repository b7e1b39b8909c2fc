"""What a user may see. Every list, detail, download and admin queryset goes through here.

Partner users see only their own partner's rows; channel managers the rows of partners assigned
to them; other vendor roles every partner's rows; anyone else nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from .roles import ALL_PARTNERS_ROLES, Role

M = TypeVar("M", bound=Model)


def scope_to_partner(qs: QuerySet[M], user: Any, *, partner_path: str = "partner") -> QuerySet[M]:
    """Filter `qs`, whose rows reach a Partner through `partner_path` ("" for Partner itself)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    prefix = f"{partner_path}__" if partner_path else ""
    if user.is_partner_user:
        return qs.filter(**{f"{prefix}pk": user.partner_id})
    if user.role == Role.CHANNEL_MANAGER:
        return qs.filter(**{f"{prefix}channel_manager": user})
    if user.role in ALL_PARTNERS_ROLES:
        return qs
    return qs.none()
