from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .models import Tenant

LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"PNG", "JPEG", "WEBP"}


class VendorSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "logo", "time_zone", "default_language"]

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            if logo.size is not None and logo.size > LOGO_MAX_BYTES:
                raise ValidationError(_("The logo must be 1 MB or smaller."))
            # ImageField has already opened it with Pillow; trust the decoded format only.
            image_format = getattr(getattr(logo, "image", None), "format", None)
            if image_format not in LOGO_TYPES:
                raise ValidationError(_("Upload a PNG, JPEG or WebP image."))
        return logo
