from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from prm.accounts.access import signed_in_user
from prm.accounts.roles import Role

from .forms import VendorSettingsForm
from .selectors import current_tenant


class NoTenantView(View):
    """Any host that is neither the platform nor a vendor domain."""

    def get(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host()
        # "/" would be this same unknown host again; the base domain is the platform's own page.
        # The port comes from the Host header: behind a proxy SERVER_PORT is the app's, not ours.
        _domain, port = split_domain_port(host)
        home = f"//{settings.PRM_BASE_DOMAIN}{':' + port if port else ''}/"
        return render(request, "tenancy/no_tenant.html", {"host": host, "home": home}, status=404)

    post = put = patch = delete = get


def tenant_logo(request: HttpRequest) -> FileResponse:
    """Only ever serves the logo of the tenant the request's host belongs to."""
    logo = request.tenant.logo  # type: ignore[attr-defined]
    if not logo:
        raise Http404
    return FileResponse(logo.open("rb"))


@login_required
def vendor_settings(request: HttpRequest) -> HttpResponse:
    """A vendor admin edits the vendor's own display name, logo, time zone, language and whether
    admin and finance staff must sign in with two factors."""
    user = signed_in_user(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied
    tenant = current_tenant()
    form = VendorSettingsForm(request.POST or None, request.FILES or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the row and its audit entry together
            form.save()
        messages.success(request, _("Settings saved."))
        return redirect("vendor_settings")
    return render(request, "vendor/settings.html", {"form": form})
