"""Messages of Django's own that its bundled Chinese catalogue lacks in their current wording.

Naming them here puts them in our catalogue (makemessages reads this file), which is searched
before Django's, so the password form speaks Chinese on Chinese pages.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
