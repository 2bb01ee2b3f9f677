"""Validation of a resource body against its type's JSON Schema, with a message naming the attribute.

Validation goes through the JSON Schemas (draft 2020-12) in ``schemas/resources/``
(:mod:`simulators.common.scim.json_schemas`); :func:`write_json_schemas` regenerates them after the
bundled schema representations change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from simulators.common.scim.canonical import canonicalize
from simulators.common.scim.catalog import catalog
from simulators.common.scim.errors import ScimError
from simulators.common.scim.json_schemas import json_schema, json_schema_path
from simulators.common.scim.schema import ResourceSchema


def _error_path(error: jsonschema.ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate(resource: Any, schema: ResourceSchema) -> dict[str, Any]:
    """Check ``resource`` against its type's JSON Schema; return the canonicalized copy.

    Raises ``ScimError(400, ..., "invalidSyntax")`` when the body is not a JSON object and
    ``ScimError(400, ..., "invalidValue")`` for a missing required attribute or a wrongly typed
    value, with a message naming the attribute.
    """
    if not isinstance(resource, Mapping):
        raise ScimError(400, f"a {schema.name} resource must be a JSON object, got {type(resource).__name__}",
                        "invalidSyntax")
    canonical = canonicalize(resource, schema)
    check_canonical(canonical, schema)
    return canonical


def check_canonical(canonical: Mapping[str, Any], schema: ResourceSchema) -> None:
    """:func:`validate` for a resource already in canonical spelling (no copy made); raises the same errors."""
    if schema.is_valid(canonical):
        return
    validator = schema.validator
    errors = sorted(validator.iter_errors(canonical), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        where = _error_path(error)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            where = f"{where}.{missing}" if where else missing
            detail = f"attribute {where!r} is required"
        elif error.validator == "contains" and where == "schemas":
            detail = f"attribute 'schemas' must list {schema.core_urn!r}"
        elif error.validator == "minLength":
            detail = f"attribute {where!r} must not be empty"
        else:
            detail = f"attribute {where!r} has the wrong type: {_short(error.instance)} is not {_expected(error)}"
        raise ScimError(400, detail, "invalidValue")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "pattern" in schema:
        return "an RFC 7643 dateTime (xsd:dateTime, e.g. 2026-01-02T03:04:05Z)"
    types = schema.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t not in (None, "null")]
    return f"of type {types[0]}" if types else error.message


def write_json_schemas() -> list[Path]:
    """Regenerate ``schemas/resources/*.schema.json`` after editing ``schemas/scim/*.json``.

    Run ``python -c "from simulators.common.scim import write_json_schemas; write_json_schemas()"``;
    ``tests/common/test_resources.py`` fails while the two disagree.
    """
    written = []
    for rt in catalog()[1]:
        schema = ResourceSchema.for_type(rt["name"])
        path = json_schema_path(schema)
        path.write_text(json.dumps(json_schema(schema), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
