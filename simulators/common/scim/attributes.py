"""What one SCIM attribute is (RFC 7643 §7), and a path resolved to one.

Filters, PATCH, validation and projection all need the same facts about an attribute (its type,
whether it is multi-valued, caseExact, mutability, returned); :class:`AttributeDef` holds them and
:class:`AttrRef` says where a resolved path's value lives in a resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AttributeDef:
    """One attribute or sub-attribute, as RFC 7643 §7 describes it.

    ``sub_attributes`` is keyed by the lower-cased sub-attribute name; use :meth:`sub_attribute`
    for a case-insensitive lookup. ``schema_urn`` is the schema that defines the attribute and
    ``parent`` the name of the complex attribute a sub-attribute belongs to.
    """

    name: str
    type: str
    multi_valued: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    sub_attributes: Mapping[str, AttributeDef] = field(default_factory=dict)
    canonical_values: tuple[str, ...] = ()
    required: bool = False
    reference_types: tuple[str, ...] = ()
    schema_urn: str = ""
    parent: str | None = None

    def sub_attribute(self, name: str) -> AttributeDef | None:
        return self.sub_attributes.get(name.lower())

    @property
    def is_complex(self) -> bool:
        return self.type == "complex"

    @property
    def path(self) -> str:
        """The dotted name without URN, e.g. ``name.givenName``."""
        return f"{self.parent}.{self.name}" if self.parent else self.name

    def description_annotation(self) -> str:
        """A one-line summary of the characteristics, written into the generated JSON Schemas."""
        parts = [self.type + ("[]" if self.multi_valued else "")]
        if self.type in ("string", "reference", "binary"):
            parts.append("caseExact" if self.case_exact else "caseIgnore")
        parts += [self.mutability, f"returned {self.returned}"]
        if self.uniqueness != "none":
            parts.append(f"uniqueness {self.uniqueness}")
        return ", ".join(parts)


@dataclass(frozen=True)
class AttrRef:
    """A resolved attribute path: which schema, which top-level attribute, which sub-attribute.

    Values of core attributes live at ``resource[attr.name]``, values of extension attributes at
    ``resource[schema_urn][attr.name]``; :meth:`container` and :meth:`get` hide the difference.
    """

    schema_urn: str
    attr: AttributeDef
    sub_attr: AttributeDef | None
    in_extension: bool

    @property
    def target(self) -> AttributeDef:
        return self.sub_attr or self.attr

    @property
    def dotted(self) -> str:
        """``emails.value``-style name without URN (what store indexes are named after)."""
        return f"{self.attr.name}.{self.sub_attr.name}" if self.sub_attr else self.attr.name

    @property
    def full(self) -> str:
        return f"{self.schema_urn}:{self.dotted}"

    def container(self, resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object holding the top-level attribute (the resource, or its extension object)."""
        if not self.in_extension:
            return resource
        ext = resource.get(self.schema_urn)
        return ext if isinstance(ext, Mapping) else None

    def get(self, resource: Mapping[str, Any]) -> Any:
        """The top-level attribute's value (``None`` when unassigned); sub-attributes are the caller's job."""
        holder = self.container(resource)
        return None if holder is None else holder.get(self.attr.name)
