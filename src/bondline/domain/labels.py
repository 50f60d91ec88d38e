"""Labels: Confluence's rules for their names and prefixes."""

from __future__ import annotations

from bondline.domain.errors import Invalid

PREFIXES = ("global", "my", "team")
MAX_NAME = 255
MAX_PER_REQUEST = 100
MAX_PER_CONTENT = 500
# Characters Confluence refuses in label names.
FORBIDDEN = set(":;,.?&[]()#^*@!/\\<>\"'{}|`~=+$%") | {" ", "\t", "\n", "\r"}


def validate(name: str, prefix: str | None = "global") -> tuple[str, str]:
    """A label as stored: (prefix, lower-case name). A name may carry its prefix (`my:todo`)."""
    if prefix is None:
        prefix = "global"
    if ":" in name:
        given, _, name = name.partition(":")
        prefix = given
    if prefix not in PREFIXES:
        raise Invalid(f"Invalid label prefix {prefix[:40]!r}: use one of {', '.join(PREFIXES)}")
    name = name.strip().lower()
    if not name:
        raise Invalid("Label name cannot be empty")
    if len(name) > MAX_NAME:
        raise Invalid(f"Label name is too long: at most {MAX_NAME} characters")
    bad = sorted({ch for ch in name if ch in FORBIDDEN or ord(ch) < 32})
    if bad:
        raise Invalid(f"Label name {name[:60]!r} contains characters that are not allowed: {''.join(bad)!r}")
    return prefix, name
