"""The service's contract (docs/openapi.yaml) as a checker of the fake service's traffic.

:class:`Contract` finds the operation of a request by path template and method and checks the
request (path and query parameters, required headers, body) and the answer (status code,
content type, body) against it. Bodies are checked with ``jsonschema`` (Debian's
python3-jsonschema; no OpenAPI validator is packaged) against the document's components,
OpenAPI 3.0 ``nullable`` included. Each check returns a list of mismatches (empty when fine).

:data:`DOC_GAPS` lists what the real service does and docs/openapi.yaml does not (yet) say; it
is laid over the document before checking. The document is generated from the Java code, so
each gap is closed there (annotations), after which :func:`stale_gaps` names the entry to drop.
"""

import copy
import json
import os
import re

import jsonschema
import yaml

DOCUMENT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "openapi.yaml")

_ERROR = {"$ref": "#/components/schemas/ApiError"}
_ROUTES = (
    "/api/v1/users/{user}/server", "/api/v1/users/{user}/servers/{server}",
    "/api/v1/users/{user}/server/events", "/api/v1/users/{user}/servers/{server}/events",
    "/api/v1/users/{user}/login", "/api/v1/users/{user}/options-form",
)

#: (keys into the document, value set where the document says nothing): what the service does, undocumented so far.
#: The bodies of the authentication's and of unexpected failures' answers, on every route (the token
#: mechanism, ErrorMapper): 401 unauthorized, 403 forbidden or missing_scope, 429 too_many_token_checks,
#: 503 hub_unavailable, 500 internal. The document names 401 and 403 (the security scheme) without a body.
DOC_GAPS = [
    (("paths", path, method, "responses", code, "content"), {"application/json": {"schema": _ERROR}})
    for path in _ROUTES
    for method in ("get", "post", "put", "delete")
    # a create documents its own 403 user_not_allowed and 503 scheduler_unavailable
    for code in (("401", "429", "500") if method == "post" else ("401", "403", "429", "500", "503"))
]


def _apply(doc, keys, value):
    node = doc
    for depth, key in enumerate(keys[:-1]):
        if key not in node:
            if depth < 3:
                return  # no such route or method: nothing to lay over
            node[key] = {}
        node = node[key]
    node.setdefault(keys[-1], copy.deepcopy(value))  # what the document says wins


def _get(doc, keys):
    node = doc
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def stale_gaps(doc):
    """The gap entries docs/openapi.yaml now says by itself (to be dropped from DOC_GAPS)."""
    return [" ".join(keys) for keys, _ in DOC_GAPS if _get(doc, keys) is not None]


def _nullable_to_type(schema):
    """An OpenAPI schema as a strict JSON Schema.

    OpenAPI 3.0 ``nullable: true`` becomes a ``type`` list or an ``anyOf`` with null; an object
    with ``properties`` and no ``additionalProperties`` is closed, so a misspelt or undocumented
    field is a mismatch (the service refuses unknown fields: fail-on-unknown-properties).
    """
    if isinstance(schema, list):
        return [_nullable_to_type(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _nullable_to_type(v) for k, v in schema.items() if k != "nullable"}
    if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    if schema.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    """The operations of docs/openapi.yaml (with :data:`DOC_GAPS` laid over), for checking traffic."""

    def __init__(self, path=DOCUMENT, gaps=DOC_GAPS):
        with open(path, encoding="utf-8") as f:
            self.raw = yaml.safe_load(f)
        doc = copy.deepcopy(self.raw)
        for pointer, value in gaps:
            _apply(doc, pointer, value)
        self.doc = doc
        self.components = _nullable_to_type(doc.get("components", {}))
        self.routes = []
        for template, item in doc.get("paths", {}).items():
            names = re.findall(r"\{([^}/]+)\}", template)
            pattern = "^" + re.sub(r"\\\{[^}/]+\\\}", "([^/]+)", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[^}/]+\}", "", template))
            self.routes.append((literal, template, re.compile(pattern), names, item))
        self.routes.sort(key=lambda r: -r[0])  # the most literal template wins

    def operation(self, method, path):
        """``(template, operation, path parameters)`` or ``(template or None, None, {})``."""
        for _, template, pattern, names, item in self.routes:
            m = pattern.match(path)
            if m:
                return template, item.get(method.lower()), dict(zip(names, m.groups()))
        return None, None, {}

    def _schema_errors(self, schema, value, where):
        schema = {"allOf": [_nullable_to_type(schema)], "components": self.components}
        validator = jsonschema.Draft202012Validator(schema)
        return [
            f"{where}: {e.message} (at {'/'.join(str(p) for p in e.absolute_path) or 'the top'})"
            for e in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        ]

    def check_request(self, method, path, query, headers, content_type, body):
        """Mismatches of one request; ``body`` is the raw bytes (``b""`` for none)."""
        what = f"{method} {path}"
        template, op, params = self.operation(method, path)
        if template is None:
            return [f"{what}: no such path in docs/openapi.yaml"]
        if op is None:
            return [f"{what}: method {method} not documented for {template}"]
        errors = []
        declared = {(p.get("in"), p.get("name", "").lower()): p for p in op.get("parameters", [])}
        for (where, name), p in declared.items():
            if where == "path" and name not in {k.lower() for k in params}:
                errors.append(f"{what}: path parameter {name} missing")
            if where == "header" and p.get("required") and name not in {k.lower() for k in headers}:
                errors.append(f"{what}: required header {p['name']} missing")
            if where == "query" and p.get("required") and name not in {k.lower() for k in query}:
                errors.append(f"{what}: required query parameter {p['name']} missing")
        for name in query:
            if ("query", name.lower()) not in declared:
                errors.append(f"{what}: query parameter {name} not documented")
        for (where, name), p in declared.items():
            value = {"path": params, "header": headers, "query": query}.get(where, {})
            value = {k.lower(): v for k, v in value.items()}.get(name)
            if isinstance(value, list) and p.get("schema", {}).get("type") != "array":
                errors.append(f"{what}: {where} parameter {p['name']} repeated, but it takes one value")
                continue
            if isinstance(value, str) and p.get("schema", {}).get("type") == "array":
                value = [value]  # a repeatable parameter sent once
            if value is not None and "schema" in p:
                if p["schema"].get("type") == "integer" and re.fullmatch(r"-?[0-9]+", value):
                    value = int(value)  # a parameter arrives as text; its schema types the text's value
                errors += self._schema_errors(p["schema"], value, f"{what}: {where} parameter {p['name']}")
        spec = op.get("requestBody")
        if not body:
            if spec and spec.get("required"):
                errors.append(f"{what}: the request body is required")
            return errors
        if spec is None:
            return errors + [f"{what}: sends a body, but the operation takes none"]
        media = (content_type or "").split(";")[0].strip()
        if media not in spec.get("content", {}):
            return errors + [f"{what}: request content type {media!r} not documented"]
        return errors + self._body_errors(spec["content"][media], media, body, f"{what}: request body")

    def check_response(self, method, path, status, content_type, body):
        """Mismatches of one answer (``body``: the raw bytes sent, ``b""`` for none)."""
        what = f"{method} {path} answered {status}"
        template, op, _ = self.operation(method, path)
        if op is None:
            return []  # the request's own check reports it
        responses = op.get("responses", {})
        spec = responses.get(str(status)) or responses.get("default")
        if spec is None:
            return [f"{what}: status not documented (documented: {', '.join(sorted(responses))})"]
        content = spec.get("content") or {}
        if not content:
            return [f"{what}: sends a body, but the answer has no content"] if body else []
        media = (content_type or "").split(";")[0].strip()
        if media not in content:
            return [f"{what}: content type {media!r} not documented ({', '.join(content)})"]
        return self._body_errors(content[media], media, body, f"{what}: body")

    def _body_errors(self, media_spec, media, body, where):
        schema = media_spec.get("schema")
        if schema is None or not media.endswith("json"):
            return []
        try:
            value = json.loads(body)
        except ValueError:
            return [f"{where}: not JSON"]
        return self._schema_errors(schema, value, where)
