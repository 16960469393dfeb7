"""Errors as RFC 9457 problem details (`application/problem+json`): a status, a title, a
detail a person can read and, for a refused query, `errors` naming each bad parameter, its value
and the reason, so that a program can tell what to change."""

from rest_framework import exceptions, status
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"


class BadParameters(exceptions.APIException):
    """A query the API will not answer as asked: an unknown parameter, a value that names
    nothing. Never a silently wider result."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The query has parameters or values this endpoint does not know."
    default_code = "invalid_parameters"

    def __init__(self, errors):
        self.errors = [
            {"parameter": name, "value": str(value)[:200], "reason": str(reason)}
            for name, value, reason in errors
        ]
        parts = "; ".join(
            f"{e['parameter']}={e['value']!s:.60}: {e['reason']}" for e in self.errors
        )
        super().__init__(f"{self.default_detail} {parts}")


TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    429: "Too many requests",
}


def problem_details(exc, context):
    """DRF's exception handler, its answers rewritten as problem details (headers kept:
    Retry-After on a 429, Allow on a 405)."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    detail = getattr(exc, "detail", None)
    body = {
        "type": "about:blank",
        "title": TITLES.get(code, "Error"),
        "status": code,
        "detail": str(detail) if isinstance(detail, str) else _flattened(response.data),
    }
    if isinstance(exc, BadParameters):
        request = context.get("request")
        body["type"] = request.build_absolute_uri("/api/#invalid-parameters")
        body["title"] = "Invalid query parameters"
        body["detail"] = str(exc.detail)
        body["errors"] = exc.errors
    response.data = body
    response.content_type = PROBLEM_TYPE
    return response


def _flattened(data):
    if isinstance(data, dict):
        return " ".join(
            f"{k}: {_flattened(v)}" if k != "detail" else _flattened(v) for k, v in data.items()
        )
    if isinstance(data, list):
        return " ".join(_flattened(v) for v in data)
    return str(data)
