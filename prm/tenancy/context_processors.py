from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, object]:
    current = getattr(request, "tenant", None)
    if current is None or current.is_public:
        return {"tenant": current, "vendor_name": "Channel PRM", "has_logo": False}
    return {"tenant": current, "vendor_name": current.name, "has_logo": bool(current.logo)}
