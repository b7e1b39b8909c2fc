from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages without the navigation bar (PDFs, public pages) never run the count.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
