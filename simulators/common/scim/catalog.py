"""The bundled RFC 7643 §6/§7 documents in ``schemas/scim/``, read once per process.

The same documents the Code42 mock serves at ``/Schemas`` and ``/ResourceTypes``; the attribute
model (:mod:`simulators.common.scim.schema`) and the discovery documents
(:mod:`simulators.common.scim.discovery`) are both built from them.
"""

from __future__ import annotations

import json
from functools import lru_cache

from simulators.common.bundled import data_dir


@lru_cache(maxsize=1)
def catalog() -> tuple[dict[str, dict], list[dict]]:
    """Schema documents by lower-cased URN, and the ResourceType documents (read once per process)."""
    folder = data_dir("schemas") / "scim"
    schemas: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "attributes" in doc:
            schemas[doc["id"].lower()] = doc
    resource_types = json.loads((folder / "ResourceTypes.json").read_text(encoding="utf-8"))
    return schemas, resource_types
