"""The read-only JSON API, /api/v1/: every public record, list and detail, with the agreement
browser's query contract (strict: what the page forgives, the API refuses with a 400 naming
each bad part), described by an OpenAPI 3.1 schema (drf-spectacular) and documented at /api/.

`serializers.py` holds the shapes, `views.py` the endpoints, `pagination.py` their pages,
`problems.py` the RFC 9457 error bodies, `urls.py` the routes."""
