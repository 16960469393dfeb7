"""What drf-spectacular cannot see in the code, written into the schema: every operation's
error answers (problem details), so that the schema documents each status the API sends; and
the values the agreement filters take (the catalogue's countries, themes and parties), so that
a client knows them and a value outside them is a documented 400."""

PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "errors": {
            "type": "array",
            "description": "Each refused parameter (a 400 for a query).",
            "items": {
                "type": "object",
                "required": ["parameter", "value", "reason"],
                "properties": {
                    "parameter": {"type": "string"},
                    "value": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

ERRORS = {
    "400": "The query has a parameter or a value this endpoint does not know.",
    "404": "No such record.",
    "406": "The API answers JSON only.",
    "429": "Too many requests from this address: ask again after Retry-After seconds.",
}


def document_problems(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "304", {"description": "Not modified since the ETag or date asked about."}
            )
            # Said by the HTTP server in front of the site (gunicorn reads request lines of up
            # to 4,094 bytes), before the API sees the request: no problem body.
            responses.setdefault("414", {"description": "The address is too long to be read."})
            for status, description in ERRORS.items():
                answer = {"description": description, "content": content}
                if status == "429":
                    answer["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}
                    }
                responses[status] = answer
    return result


def catalogue_values(result, generator, request, public):
    """The filters' values as the catalogue holds them now (the schema is written per request,
    and validated, as every answer, against the catalogue's version)."""
    from django.db import DatabaseError

    from ..filters import catalogue_options

    try:
        options = catalogue_options()
    except DatabaseError:  # `check --deploy` writes the schema with no database at all
        return result
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if name in ("country", "theme", "agency") and parameter["in"] == "query":
                    values = sorted(value for value, _ in options[name])
                    parameter["schema"]["items"]["enum"] = values
    return result


def record_links(result, generator, request, public):
    """OpenAPI links from each list to its records (the first result's key), so that a client,
    and schemathesis's stateful tests, can walk from a list to what it lists."""
    paths = result["paths"]
    for route, operations in paths.items():
        listing = operations.get("get")
        if listing is None or not listing["operationId"].endswith("_list"):
            continue
        for other, detail in paths.items():
            found = other.startswith(route) and other.count("{") == 1 and other.endswith("}/")
            if found and other[len(route) :].count("/") == 1:
                key = other[len(route) + 1 : -2]
                retrieve = detail["get"]["operationId"]
                listing["responses"]["200"].setdefault("links", {})[retrieve] = {
                    "operationId": retrieve,
                    "parameters": {key: f"$response.body#/results/0/{key}"},
                    "description": "The list's first record.",
                }
    return result


def harvest_parameter(result, generator, request, public):
    """`changed_since` on every list: what drf-spectacular cannot read from `since()`."""
    for operations in result["paths"].values():
        listing = operations.get("get")
        if listing is None or not listing["operationId"].endswith("_list"):
            continue
        listing.setdefault("parameters", []).append(
            {
                "name": "changed_since",
                "in": "query",
                "required": False,
                "description": "Only the records written at or after this time (ISO 8601): "
                "a harvest of what changed since the last one. Deletions are not listed.",
                "schema": {"type": "string", "format": "date-time"},
            }
        )
    return result
