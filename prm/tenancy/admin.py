from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from .admin_base import PlatformModelAdmin
from .models import Domain, Tenant
from .services import vendor_create


class ProvisionVendorForm(forms.Form):
    slug = forms.CharField(label=_("Slug (sub-domain)"), max_length=31)
    name = forms.CharField(label=_("Display name"), max_length=200)
    admin_email = forms.EmailField(label=_("First vendor admin's email"))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Tenant._meta.get_field("currency").choices
    )
    default_language = forms.ChoiceField(
        label=_("Default language"), choices=Tenant._meta.get_field("default_language").choices
    )


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, PlatformModelAdmin):
    list_display = ["schema_name", "name", "currency", "time_zone", "default_language", "is_active"]
    list_filter = ["is_active", "currency", "default_language", "time_zone"]
    search_fields = ["schema_name", "name", "domains__domain"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline]
    change_list_template = "admin/tenancy/tenant/change_list.html"

    # New vendors go through the provisioning service (schema, domain, first admin), not a bare row.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        provision = path(
            "provision/",
            self.admin_site.admin_view(self.provision_view),
            name="tenancy_tenant_provision",
        )
        return [provision, *super().get_urls()]

    def provision_view(self, request: HttpRequest) -> HttpResponse:
        if not self._here() or not request.user.is_superuser:
            return redirect("admin:index")
        form = ProvisionVendorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                vendor = vendor_create(**form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Vendor %(name)s is ready at %(domain)s. First admin %(email)s, one-time "
                        "password: %(password)s"
                    )
                    % {
                        "name": vendor.tenant.name,
                        "domain": vendor.domain,
                        "email": vendor.admin_email,
                        "password": vendor.admin_password,
                    },
                )
                return redirect("admin:tenancy_tenant_changelist")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": _("Provision a vendor"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tenancy/tenant/provision.html", context)


@admin.register(Domain)
class DomainAdmin(PlatformModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "tenant__name", "tenant__schema_name"]
