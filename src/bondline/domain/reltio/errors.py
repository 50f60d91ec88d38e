"""The Reltio-specific failures the domain raises. They are ordinary `DomainError`s (so every layer
handles them the same way) whose `reason` and `details` let the Reltio dialect render the exact
error body Reltio documents (object URI for OBJECT_NOT_FOUND, type URI and tenant for
TYPE_IS_NOT_FOUND)."""

from __future__ import annotations

from bondline.domain.errors import Forbidden, Invalid, NotFound


def object_not_found(uri: str) -> NotFound:
    return NotFound(f"Object with id={uri} not found", reason="OBJECT_NOT_FOUND", details={"uri": uri})


def type_not_found(type_uri: str, tenant: str) -> Invalid:
    return Invalid(f"Type is not found for URI {type_uri} and tenant {tenant}", reason="TYPE_IS_NOT_FOUND",
                   details={"uri": type_uri, "tenant": tenant})


def attribute_type_not_found(type_uri: str, attribute: str) -> Invalid:
    return Invalid(f"Attribute type {type_uri}/attributes/{attribute} is not found", reason="ATTRIBUTE_TYPE_NOT_FOUND",
                   details={"uri": f"{type_uri}/attributes/{attribute}"})


def forbidden() -> Forbidden:
    return Forbidden("Security error. This endpoint is forbidden for current user.", reason="ACCESS_DENIED")


def invalid(message: str, reason: str = "INVALID_REQUEST") -> Invalid:
    return Invalid(message, reason=reason)
