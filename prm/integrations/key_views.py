"""API keys, for the vendor admin: the list (with last use), making one (its token shown once)
and revoking."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .access import integrations_admin_required
from .key_forms import ApiKeyForm
from .keys import api_key_create, api_key_revoke
from .models import ApiKey


@integrations_admin_required
def key_list(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.select_related("user", "user__partner", "created_by")
    return render(request, "integrations/keys/list.html", {"keys": keys, "section": "integrations"})


@integrations_admin_required
def key_new(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, token = api_key_create(
                name=data["name"],
                user=data["user"],
                scopes=data["scopes"],
                rate_per_minute=data["rate_per_minute"],
                actor=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            # The token is in this response only: it is not kept, so it cannot be shown again.
            return render(
                request,
                "integrations/keys/created.html",
                {"key": key, "token": token, "section": "integrations"},
            )
    return render(request, "integrations/keys/form.html", {"form": form, "section": "integrations"})


@integrations_admin_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    flash_outcome(
        request,
        lambda: api_key_revoke(key=key),
        _("Key %(name)s revoked: it no longer works.") % {"name": key.name},
    )
    return redirect("api_keys:list")
