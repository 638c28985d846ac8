"""The HTTP edge: routers, dependencies and request/response schemas. Thin: validate, call, return."""
