from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import User
from .two_factor import two_factor_reset

# django-otp's own device pages would show secrets and let devices drift from the user's
# two_factor_enabled flag; people's devices change only by enrolling or by the reset action below.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(User)
class UserAdmin(AuditlogHistoryAdminMixin, BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "role",
        "partner",
        "is_active",
        "two_factor_enabled",
        "last_login",
    ]
    list_filter = ["role", "is_active", "two_factor_enabled", "must_change_password", "language"]
    search_fields = ["email", "full_name", "phone", "partner__name"]
    autocomplete_fields = ["partner"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "is_staff",
        "is_superuser",
        "two_factor_enabled",
    ]
    show_auditlog_history_link = True
    actions = ["reset_two_factor"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Access"),
            {
                "fields": (
                    "role",
                    "partner",
                    "is_active",
                    "must_change_password",
                    "two_factor_enabled",
                    "is_staff",
                    "is_superuser",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "partner",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.filter(two_factor_enabled=True))
        for user in users:
            two_factor_reset(user=user)  # each one audited with the admin as actor
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user; they sign in with the password "
                "and set it up again.",
                "Two-factor sign-in reset for %(count)d users; they sign in with the password "
                "and set it up again.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
