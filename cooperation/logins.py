"""Where a request comes from, for django-axes' lock-outs and the site's own limits."""

from django.conf import settings


def client_address(request):
    """The address a request came from. Behind BEHIND_HTTPS_PROXY, the one the outermost of the
    TRUSTED_PROXIES proxies appended to X-Forwarded-For (each proxy appends the address it was
    reached from; anything before those is the client's to write, and to forge); without
    enough entries, or without a proxy, the connection's own."""
    direct = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_HTTPS_PROXY:
        return direct
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    trusted = max(1, settings.TRUSTED_PROXIES)
    return addresses[-trusted] if len(addresses) >= trusted else direct
