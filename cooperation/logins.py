"""Where a curator's login comes from, for django-axes' lock-outs."""


def client_address(request):
    """The address a login came from, behind the one proxy BEHIND_HTTPS_PROXY trusts: the last
    address of X-Forwarded-For, the one the proxy itself appended (clients can forge the rest)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    return addresses[-1] if addresses else request.META.get("REMOTE_ADDR")
