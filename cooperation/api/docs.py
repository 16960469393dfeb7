"""/api/: the API's documentation, a server-rendered page of the site written from the OpenAPI
schema itself (every endpoint, its parameters and its answers), so that it can never drift from
what the API does, needs no script and no asset from elsewhere, and reads like the rest of the
site. It is in English, as the API is."""

from django.utils import translation
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from ..caching import catalogue_version
from ..counting import once_per_version


def openapi_schema(version):
    """The schema as drf-spectacular writes it, once per catalogue version (it names the
    values the filters take)."""
    return once_per_version(
        version, "api-schema", [], lambda: SchemaGenerator().get_schema(request=None, public=True)
    )


def endpoints(schema):
    """[{path, id, description, parameters, responses}] of every GET operation."""
    found = []
    for route, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = [
            {
                "name": p["name"],
                "where": p["in"],
                "type": _type_of(p.get("schema", {})),
                "description": p.get("description", ""),
                "required": p.get("required", False),
            }
            for p in operation.get("parameters", [])
        ]
        found.append(
            {
                "path": route,
                "id": operation["operationId"],
                "description": operation.get("description", ""),
                "parameters": parameters,
                "responses": sorted(operation.get("responses", {})),
            }
        )
    return found


PERIODS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def rate_in_words(rate):
    """DRF's "600/min" as "600 requests a minute"."""
    number, period = rate.split("/")
    return f"{int(number):,} requests a {PERIODS[period[0]]}"


def _type_of(schema):
    if schema.get("type") == "array":
        return f"{_type_of(schema.get('items', {}))}, repeatable"
    if "enum" in schema:
        values = [str(v) for v in schema["enum"] if v is not None]
        return " | ".join(values) if len(values) <= 8 else f"one of {len(values)} values"
    return schema.get("type", "string")


class ApiDocumentationView(TemplateView):
    template_name = "api/documentation.html"

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            response.render()
            return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        absolute = self.request.build_absolute_uri
        context.update(
            endpoints=endpoints(openapi_schema(catalogue_version(self.request)[0])),
            base=absolute("/api/v1/"),
            schema_url=absolute("/api/v1/schema/"),
            canonical=absolute("/api/"),
            throttle=rate_in_words(api_settings.DEFAULT_THROTTLE_RATES["anon"]),
        )
        return context
