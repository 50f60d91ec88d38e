"""Confluence storage format ⇄ Atlassian document format (ADF), both ways, with no I/O
(docs/decisions/0021-adf-conversion.md).

bondline stores a body in storage format (XHTML with `ac:`/`ri:` elements). A body written as ADF is
converted to storage before it is stored (`adf_to_storage`), and a stored body is converted to ADF
when it is read as `atlas_doc_format` (`storage_to_adf`). The common nodes map to each other:

| ADF | storage |
| --- | --- |
| paragraph, heading (1-6), blockquote, rule, hardBreak | `p`, `h1`-`h6`, `blockquote`, `hr`, `br` |
| bulletList, orderedList (`order`), listItem | `ul`, `ol` (`start`), `li` (its text in a `p`) |
| table, tableRow, tableHeader, tableCell (`colspan`, `rowspan`) | `table`/`tbody`, `tr`, `th`, `td` |
| codeBlock (`language`) | the `code` macro, its body in CDATA |
| panel: info, warning, error, success (note, tip, custom) | macros `info`, `note`, `warning`, `tip` (`panel`) |
| marks strong, em, code, strike, underline, subsup | `strong`, `em`, `code`, `s`, `u`, `sub`/`sup` |
| marks textColor, link | `span style="color: …"`, `a href` |
| link mark to `/wiki/display/KEY/Title` (`/wiki/display/Title`: this space) | `ac:link` to `ri:page` |
| mention (`id`) | `ac:link` to `ri:user ri:account-id` |
| emoji (`shortName`, `id`, `text`) | `ac:emoticon` (`ac:name`; `ac:emoji-shortname`, `-id`, `-fallback`) |
| extension / bodiedExtension (`com.atlassian.confluence.macro.core`) | any other macro with text parameters |

Nothing is dropped silently where it could be kept: storage this module does not map (an image, a
layout, a macro with a page as parameter, a malformed or too deeply nested body) becomes an
`extension` (`inlineExtension` in text) of type `com.bondline.storage` carrying the storage
verbatim, which converts back to the same storage; an ADF node it does not map (a status, a date, a
task list, ...) is kept in storage as an `adf-node` macro holding its JSON, which converts back to
the same node. Marks it does not map (annotations, background colours, alignment) are dropped.

ADF that is not a document (not JSON, not `{"type": "doc", ...}`, a node where its parent allows
none, nested deeper than `MAX_DEPTH`) is `Invalid`; storage never is (at worst it is kept verbatim).
"""

from __future__ import annotations

import json
from html.entities import name2codepoint
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus
from xml.etree import ElementTree

from bondline.domain.errors import Invalid

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"
AT = "http://atlassian.com/template"
PREFIXES = {AC: "ac", RI: "ri", AT: "at"}
MAX_DEPTH = 48  # nesting of ADF nodes (and of storage elements) a conversion follows
MACRO = "com.atlassian.confluence.macro.core"  # Confluence's extension type for its macros
RAW = "com.bondline.storage"  # storage kept verbatim in an ADF extension
ADF_MACRO = "adf-node"  # an ADF node kept verbatim (as JSON) in storage
PAGE_LINK = "/wiki/display/"
# Storage may use HTML's named entities (`&nbsp;`), which XML does not know: declared to the parser.
_DTD = "<!DOCTYPE bondline [" + "".join(f'<!ENTITY {n} "&#{c};">' for n, c in name2codepoint.items()) + "]>"
_ROOT = f'<bondline xmlns:ac="{AC}" xmlns:ri="{RI}" xmlns:at="{AT}">'

# Characters XML 1.0 does not allow (in text or attributes), which JSON can escape.
_NOT_XML = frozenset([chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"])
_MARK_TAGS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "code": "code", "s": "strike",
              "del": "strike", "strike": "strike", "u": "underline"}
_MARK_OUT = {"strong": "strong", "em": "em", "code": "code", "strike": "s", "underline": "u"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Confluence's panel macros and ADF's panel types: info is blue, note yellow, warning red, tip green.
_PANELS_IN = {"info": "info", "note": "warning", "warning": "error", "tip": "success"}
_PANELS_OUT = {v: k for k, v in _PANELS_IN.items()}
_PANEL_TYPES = ("info", "note", "tip", "warning", "error", "success", "custom")
_TABLE_LAYOUTS = ("wide", "full-width", "center", "align-end", "align-start", "default")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "table", "div",
               "ac:structured-macro", "ac:layout", "ac:task-list", "ac:image", "ac:adf-extension", "ac:macro"}


# ---------------------------------------------------------------------------------------------------
# Storage → ADF


def storage_to_adf(storage: str) -> dict[str, Any]:
    """The ADF document for a storage body. Never fails: what cannot be converted is kept verbatim."""
    try:
        root = _parse(storage)
    except (ElementTree.ParseError, ValueError):  # not XML; a lone surrogate (UnicodeEncodeError)
        root = None
    if root is None or _too_deep(root):
        content = [_raw_block(storage, "document")] if storage.strip() else []
        return {"type": "doc", "version": 1, "content": content}
    return {"type": "doc", "version": 1, "content": _blocks(root)}


def _parse(storage: str) -> ElementTree.Element:
    parser = ElementTree.XMLParser()
    parser.feed(_DTD)
    parser.feed(_ROOT)
    parser.feed(storage)
    parser.feed("</bondline>")
    return parser.close()


def _too_deep(root: ElementTree.Element) -> bool:
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def _name(tag: str) -> str:
    """`{http://atlassian.com/content}link` → `ac:link`."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return f"{PREFIXES.get(uri, 'ns')}:{local}"
    return tag


def _attr(element: ElementTree.Element, name: str) -> str | None:
    prefix, _, local = name.rpartition(":")
    uri = {"ac": AC, "ri": RI, "at": AT}.get(prefix)
    return element.get(f"{{{uri}}}{local}" if uri else local)


def _serialize(element: ElementTree.Element) -> str:
    """An element (without its tail) as storage, namespaces written as their prefixes."""
    out: list[str] = []
    _write(element, out)
    return "".join(out)


def _write(element: ElementTree.Element, out: list[str]) -> None:
    name = _name(element.tag)
    attrs = "".join(f" {_name(k)}={_quote(v)}" for k, v in element.attrib.items())
    if not element.text and len(element) == 0:
        out.append(f"<{name}{attrs} />")
        return
    out.append(f"<{name}{attrs}>")
    if element.text:
        out.append(_cdata(element.text) if name in ("ac:plain-text-body", "ac:plain-text-link-body")
                   else _escape(element.text))
    for child in element:
        _write(child, out)
        if child.tail:
            out.append(_escape(child.tail))
    out.append(f"</{name}>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quote(value: str) -> str:
    return '"' + _escape(value).replace('"', "&quot;") + '"'


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _raw_block(storage: str, key: str) -> dict[str, Any]:
    return {"type": "extension", "attrs": {"extensionType": RAW, "extensionKey": key,
                                           "parameters": {"storage": storage}}}


def _raw_inline(element: ElementTree.Element) -> dict[str, Any]:
    return {"type": "inlineExtension", "attrs": {"extensionType": RAW, "extensionKey": _name(element.tag),
                                                 "parameters": {"storage": _serialize(element)}}}


def _paragraph(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "paragraph", "content": content} if content else {"type": "paragraph"}


def _pieces(element: ElementTree.Element) -> list[str | ElementTree.Element]:
    """An element's content in order: its text, each child, each child's tail."""
    out: list[str | ElementTree.Element] = []
    if element.text:
        out.append(element.text)
    for child in element:
        out.append(child)
        if child.tail:
            out.append(child.tail)
    return out


def _blocks(element: ElementTree.Element) -> list[dict[str, Any]]:
    """Block content: runs of text and inline elements between blocks become paragraphs; whitespace
    between blocks is layout, not text."""
    out: list[dict[str, Any]] = []
    run: list[str | ElementTree.Element] = []

    def flush() -> None:
        if any(not isinstance(p, str) or p.strip() for p in run):
            out.append(_paragraph(_inlines(run, [])))
        run.clear()

    for piece in _pieces(element):
        if isinstance(piece, str) or _name(piece.tag) not in _BLOCK_TAGS:
            run.append(piece)
            continue
        flush()
        out.append(_block(piece))
    flush()
    return out


def _block(element: ElementTree.Element) -> dict[str, Any]:
    name = _name(element.tag)
    if name == "p":
        return _paragraph(_inlines(_pieces(element), []))
    if name in _HEADINGS:
        heading: dict[str, Any] = {"type": "heading", "attrs": {"level": _HEADINGS[name]}}
        content = _inlines(_pieces(element), [])
        if content:
            heading["content"] = content
        return heading
    if name in ("ul", "ol"):
        return _list(element)
    if name == "blockquote":
        return {"type": "blockquote", "content": _blocks(element) or [_paragraph([])]}
    if name == "hr" and not element.attrib and len(element) == 0 and not (element.text or "").strip():
        return {"type": "rule"}
    if name == "pre" and len(element) == 0 and not element.attrib:
        return _code_block(None, element.text or "")
    if name == "table":
        table = _table(element)
        if table is not None:
            return table
    if name == "ac:structured-macro":
        macro = _macro(element)
        if macro is not None:
            return macro
    return _raw_block(_serialize(element), name)


def _list(element: ElementTree.Element) -> dict[str, Any]:
    """A list of `li` (with no attributes; an `ol` may have a `start`); any other is kept verbatim."""
    name = _name(element.tag)
    items: list[dict[str, Any]] = []
    start = element.get("start")
    allowed = {"start"} if name == "ol" else set()
    plain = set(element.attrib) <= allowed and (start is None or (start.isdigit() and len(start) < 10))
    for piece in _pieces(element):
        if isinstance(piece, str):
            plain = plain and not piece.strip()
        elif _name(piece.tag) == "li" and not piece.attrib:
            items.append({"type": "listItem", "content": _blocks(piece) or [_paragraph([])]})
        else:
            plain = False
    if not items or not plain:
        return _raw_block(_serialize(element), name)
    out: dict[str, Any] = {"type": "bulletList" if name == "ul" else "orderedList"}
    if start is not None:
        out["attrs"] = {"order": int(start)}
    out["content"] = items
    return out


def _table(element: ElementTree.Element) -> dict[str, Any] | None:
    rows: list[ElementTree.Element] = []
    for child in element:
        name = _name(child.tag)
        if name in ("thead", "tbody", "tfoot"):
            for row in child:
                if _name(row.tag) != "tr":
                    return None
                rows.append(row)
        elif name == "tr":
            rows.append(child)
        elif name != "colgroup":
            return None
    if not rows:
        return None
    out_rows = []
    for row in rows:
        cells = []
        for cell in row:
            kind = _name(cell.tag)
            if kind not in ("th", "td"):
                return None
            node: dict[str, Any] = {"type": "tableHeader" if kind == "th" else "tableCell"}
            attrs = {}
            for span in ("colspan", "rowspan"):
                raw = cell.get(span)
                if raw is not None and raw.isdigit() and 0 < len(raw) < 5:
                    attrs[span] = int(raw)
            if attrs:
                node["attrs"] = attrs
            node["content"] = _blocks(cell) or [_paragraph([])]
            cells.append(node)
        if not cells:
            return None
        out_rows.append({"type": "tableRow", "content": cells})
    out: dict[str, Any] = {"type": "table"}
    layout = element.get("data-layout")
    if layout in _TABLE_LAYOUTS:
        out["attrs"] = {"layout": layout}
    out["content"] = out_rows
    return out


def _code_block(language: str | None, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "codeBlock"}
    if language:
        out["attrs"] = {"language": language}
    if text:
        out["content"] = [{"type": "text", "text": text}]
    return out


def _macro_parts(element: ElementTree.Element) -> tuple[dict[str, str], str | None,
                                                        ElementTree.Element | None] | None:
    """A macro's text parameters, plain-text body and rich-text body; None when it has anything
    else (a parameter holding a page reference, text between its parts, ...)."""
    params: dict[str, str] = {}
    plain: str | None = None
    rich: ElementTree.Element | None = None
    if (element.text or "").strip():
        return None
    for child in element:
        if (child.tail or "").strip():
            return None
        name = _name(child.tag)
        if name == "ac:parameter":
            key = _attr(child, "ac:name")
            if key is None or len(child) or key in params:
                return None
            params[key] = child.text or ""
        elif name == "ac:plain-text-body" and plain is None and not len(child):
            plain = child.text or ""
        elif name == "ac:rich-text-body" and rich is None:
            rich = child
        else:
            return None
    if plain is not None and rich is not None:
        return None
    return params, plain, rich


def _macro(element: ElementTree.Element) -> dict[str, Any] | None:
    name = _attr(element, "ac:name")
    parts = _macro_parts(element)
    if not name or parts is None:
        return None
    params, plain, rich = parts
    if name == "code" and rich is None and set(params) <= {"language"}:
        return _code_block(params.get("language"), plain or "")
    if name == ADF_MACRO and plain is not None and not params:
        try:
            node = json.loads(plain)
            _check_node(node, 0)
        except (ValueError, Invalid, RecursionError):
            return None
        return node  # type: ignore[no-any-return]
    if rich is not None and plain is None:
        panel = None
        if name in _PANELS_IN and not params:
            panel = _PANELS_IN[name]
        elif name == "panel" and set(params) == {"panelType"} and params["panelType"] in _PANEL_TYPES \
                and params["panelType"] not in _PANELS_OUT:
            panel = params["panelType"]
        if panel is not None:
            return {"type": "panel", "attrs": {"panelType": panel}, "content": _blocks(rich) or [_paragraph([])]}
    unexpected = set(element.attrib) - {f"{{{AC}}}name", f"{{{AC}}}schema-version", f"{{{AC}}}macro-id"}
    if unexpected:
        return None
    parameters: dict[str, Any] = {"macroParams": {k: {"value": v} for k, v in params.items()}}
    metadata = {}
    if _attr(element, "ac:macro-id") is not None:
        metadata["macroId"] = {"value": _attr(element, "ac:macro-id")}
    if _attr(element, "ac:schema-version") is not None:
        metadata["schemaVersion"] = {"value": _attr(element, "ac:schema-version")}
    if metadata:
        parameters["macroMetadata"] = metadata
    if plain is not None:
        parameters["plainTextBody"] = plain
    attrs = {"extensionType": MACRO, "extensionKey": name, "parameters": parameters}
    if rich is not None:
        return {"type": "bodiedExtension", "attrs": attrs, "content": _blocks(rich) or [_paragraph([])]}
    return {"type": "extension", "attrs": attrs}


def _inlines(pieces: list[str | ElementTree.Element], marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for piece in pieces:
        if isinstance(piece, str):
            if piece:
                out.append(_text(piece, marks))
        else:
            out.extend(_inline(piece, marks))
    return out


def _text(text: str, marks: list[dict[str, Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        node["marks"] = [dict(m) for m in marks]
    return node


def _inline(element: ElementTree.Element, marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name = _name(element.tag)
    mark = _mark_of(element)
    if mark is not None:
        return _inlines(_pieces(element), [*marks, mark])
    if name == "br" and not element.attrib and len(element) == 0 and not element.text:
        return [{"type": "hardBreak"}]
    if name == "ac:link":
        link = _ac_link(element, marks)
        if link is not None:
            return link
    if name == "ac:emoticon":
        emoji = _emoticon(element)
        if emoji is not None:
            return [emoji]
    if name == "ac:structured-macro" and _attr(element, "ac:name") == ADF_MACRO:
        node = _macro(element)
        if node is not None:
            return [node]
    return [_raw_inline(element)]


def _mark_of(element: ElementTree.Element) -> dict[str, Any] | None:
    name = _name(element.tag)
    if name in _MARK_TAGS and not element.attrib:
        return {"type": _MARK_TAGS[name]}
    if name in ("sub", "sup") and not element.attrib:
        return {"type": "subsup", "attrs": {"type": name}}
    if name == "a" and set(element.attrib) <= {"href", "title"} and element.get("href"):
        attrs = {"href": element.get("href")}
        if element.get("title") is not None:
            attrs["title"] = element.get("title")
        return {"type": "link", "attrs": attrs}
    if name == "span" and set(element.attrib) == {"style"}:
        declarations = [d.strip() for d in (element.get("style") or "").split(";") if d.strip()]
        if len(declarations) == 1:
            prop, _, value = declarations[0].partition(":")
            if prop.strip().lower() == "color" and value.strip():
                return {"type": "textColor", "attrs": {"color": value.strip()}}
    return None


_EMOJI_ATTRS = {f"{{{AC}}}{n}": key for n, key in (("emoji-shortname", "shortName"), ("emoji-id", "id"),
                                                   ("emoji-fallback", "text"))}


def _emoticon(element: ElementTree.Element) -> dict[str, Any] | None:
    """`<ac:emoticon ac:name="smile" />` (Confluence's own) is `:smile:`; an emoji (`ac:name="blue-star"`
    with `ac:emoji-shortname`, `-id`, `-fallback`) its short name, id and text."""
    if len(element) or element.text:
        return None
    name = _attr(element, "ac:name")
    if set(element.attrib) == {f"{{{AC}}}name"} and name and ":" not in name:
        return {"type": "emoji", "attrs": {"shortName": f":{name}:"}}
    if name != "blue-star" or not _attr(element, "ac:emoji-shortname") \
            or set(element.attrib) - {f"{{{AC}}}name", *_EMOJI_ATTRS}:
        return None
    return {"type": "emoji", "attrs": {key: element.get(attr) for attr, key in _EMOJI_ATTRS.items()
                                       if element.get(attr) is not None}}


def _ac_link(element: ElementTree.Element, marks: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """A mention (`ri:user` by account id) or a link to a page (`ri:page` by title)."""
    if element.attrib or (element.text or "").strip() or not len(element):
        return None
    target, rest = element[0], list(element[1:])
    if (target.tail or "").strip() or len(rest) > 1 or any((r.tail or "").strip() for r in rest):
        return None
    kind = _name(target.tag)
    if kind == "ri:user" and not rest and set(target.attrib) == {f"{{{RI}}}account-id"} and not len(target):
        return [{"type": "mention", "attrs": {"id": _attr(target, "ri:account-id")}}]
    if kind != "ri:page" or len(target) or set(target.attrib) - {f"{{{RI}}}content-title", f"{{{RI}}}space-key"}:
        return None
    title = _attr(target, "ri:content-title")
    if not title:
        return None
    key = _attr(target, "ri:space-key")
    href = PAGE_LINK + (f"{quote(key, safe='~')}/" if key else "") + quote_plus(title)
    link = [*marks, {"type": "link", "attrs": {"href": href}}]
    if not rest:
        return [_text(title, link)]
    body = rest[0]
    body_name = _name(body.tag)
    if body_name == "ac:plain-text-link-body" and not len(body) and body.text:
        return [_text(body.text, link)]
    if body_name == "ac:link-body":
        content = _inlines(_pieces(body), link)
        if content and all(node["type"] == "text" for node in content):
            return content
    return None


# ---------------------------------------------------------------------------------------------------
# ADF → storage


def parse_adf(value: str | dict[str, Any]) -> dict[str, Any]:
    """An ADF document from its JSON (as a body's `value` carries it), checked; `Invalid` otherwise."""
    if isinstance(value, str):
        try:
            doc = json.loads(value)
        except RecursionError:
            raise Invalid(f"Invalid atlas_doc_format: nested deeper than {MAX_DEPTH} levels") from None
        except ValueError as exc:
            raise Invalid(f"Invalid atlas_doc_format: the value is not JSON ({str(exc)[:80]})") from None
    else:
        doc = value
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        raise Invalid('Invalid atlas_doc_format: the value is not an ADF document ({"type": "doc", ...})')
    if doc.get("version", 1) != 1:
        raise Invalid("Invalid atlas_doc_format: only version 1 is supported")
    content = doc.get("content", [])
    if not isinstance(content, list):
        raise Invalid("Invalid atlas_doc_format: the document's content is not a list")
    for node in content:
        _check_node(node, 1)
    return doc


def _check_node(node: Any, depth: int) -> None:
    """The shape every ADF node has (a type, a list of content, an object of attrs, a list of marks),
    iteratively to `MAX_DEPTH`; what each type allows is checked as it is converted."""
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        if level > MAX_DEPTH:
            raise Invalid(f"Invalid atlas_doc_format: nodes nested deeper than {MAX_DEPTH} levels")
        if not isinstance(current, dict) or not isinstance(current.get("type"), str):
            raise Invalid("Invalid atlas_doc_format: every node is an object with a string 'type'")
        if "attrs" in current and not isinstance(current["attrs"], dict):
            raise Invalid(f"Invalid atlas_doc_format: the attrs of a {current['type'][:40]} node are not an object")
        marks = current.get("marks", [])
        if not isinstance(marks, list) or not all(isinstance(m, dict) and isinstance(m.get("type"), str)
                                                  for m in marks):
            raise Invalid("Invalid atlas_doc_format: marks are a list of objects with a string 'type'")
        if current["type"] == "text" and (not isinstance(current.get("text"), str) or not current["text"]):
            raise Invalid("Invalid atlas_doc_format: a text node has a non-empty string 'text'")
        content = current.get("content", [])
        if not isinstance(content, list):
            raise Invalid(f"Invalid atlas_doc_format: the content of a {current['type'][:40]} node is not a list")
        stack.extend((child, level + 1) for child in content)


def adf_to_storage(value: str | dict[str, Any]) -> str:
    """The storage body for an ADF document (its JSON or the parsed object); `Invalid` when it is not one."""
    doc = parse_adf(value)
    out: list[str] = []
    for node in doc.get("content", []):
        _out_block(node, out)
    for piece in out:  # what was converted (storage kept verbatim comes back as it was)
        if not isinstance(piece, _Verbatim) and not _NOT_XML.isdisjoint(piece):
            bad = min(c for c in piece if c in _NOT_XML)
            raise Invalid(f"Invalid atlas_doc_format: the text holds U+{ord(bad):04X}, a character storage "
                          "format (XML) cannot hold")
    storage = "".join(out)
    try:
        storage.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("Invalid atlas_doc_format: the text holds a lone surrogate (not a character)") from None
    return storage


class _Verbatim(str):
    """Storage an extension kept, written back as it was."""


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    return node.get("attrs") or {}


def _content(node: dict[str, Any]) -> list[dict[str, Any]]:
    return node.get("content") or []


def _wrong(node: dict[str, Any], where: str) -> Invalid:
    return Invalid(f"Invalid atlas_doc_format: a {node['type'][:40]} node cannot be {where}")


def _out_blocks(nodes: list[dict[str, Any]], out: list[str]) -> None:
    for node in nodes:
        _out_block(node, out)


def _out_block(node: dict[str, Any], out: list[str]) -> None:
    kind = node["type"]
    attrs = _attrs(node)
    if kind == "paragraph":
        _tag("p", node, out)
    elif kind == "heading":
        level = attrs.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 6:
            raise Invalid("Invalid atlas_doc_format: a heading's level is an integer from 1 to 6")
        _tag(f"h{level}", node, out)
    elif kind in ("bulletList", "orderedList"):
        tag = "ul" if kind == "bulletList" else "ol"
        order = attrs.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool) or order < 0):
            raise Invalid("Invalid atlas_doc_format: a list's order is a non-negative integer")
        out.append(f'<ol start="{order}">' if tag == "ol" and order not in (None, 1) else f"<{tag}>")
        for item in _content(node):
            if item["type"] != "listItem":
                raise _wrong(item, f"in a {kind}")
            out.append("<li>")
            _out_blocks(_content(item), out)
            out.append("</li>")
        out.append(f"</{tag}>")
    elif kind == "blockquote":
        out.append("<blockquote>")
        _out_blocks(_content(node), out)
        out.append("</blockquote>")
    elif kind == "rule":
        out.append("<hr />")
    elif kind == "codeBlock":
        _out_code(node, out)
    elif kind == "panel":
        panel = attrs.get("panelType")
        if panel not in _PANEL_TYPES:
            raise Invalid(f"Invalid atlas_doc_format: a panel's panelType is one of {', '.join(_PANEL_TYPES)}")
        if panel in _PANELS_OUT:
            out.append(f'<ac:structured-macro ac:name="{_PANELS_OUT[panel]}" ac:schema-version="1">')
        else:
            out.append('<ac:structured-macro ac:name="panel" ac:schema-version="1">'
                       f'<ac:parameter ac:name="panelType">{panel}</ac:parameter>')
        out.append("<ac:rich-text-body>")
        _out_blocks(_content(node), out)
        out.append("</ac:rich-text-body></ac:structured-macro>")
    elif kind == "table":
        layout = attrs.get("layout")
        out.append(f'<table data-layout="{layout}">' if layout in _TABLE_LAYOUTS else "<table>")
        out.append("<tbody>")
        for row in _content(node):
            if row["type"] != "tableRow":
                raise _wrong(row, "in a table")
            out.append("<tr>")
            for cell in _content(row):
                if cell["type"] not in ("tableHeader", "tableCell"):
                    raise _wrong(cell, "in a tableRow")
                tag = "th" if cell["type"] == "tableHeader" else "td"
                spans = ""
                for span in ("colspan", "rowspan"):
                    count = _attrs(cell).get(span)
                    if count is not None:
                        if not isinstance(count, int) or isinstance(count, bool) or not 0 < count < 10000:
                            raise Invalid(f"Invalid atlas_doc_format: a cell's {span} is a positive integer")
                        if count != 1:
                            spans += f' {span}="{count}"'
                out.append(f"<{tag}{spans}>")
                _out_blocks(_content(cell), out)
                out.append(f"</{tag}>")
            out.append("</tr>")
        out.append("</tbody></table>")
    elif kind in ("extension", "bodiedExtension"):
        _out_extension(node, out)
    elif kind in ("text", "hardBreak", "mention", "inlineExtension", "listItem", "tableRow", "tableCell",
                  "tableHeader", "doc"):
        raise _wrong(node, "a block here")
    else:
        _out_kept(node, out)


def _tag(tag: str, node: dict[str, Any], out: list[str]) -> None:
    content = _content(node)
    if not content:
        out.append(f"<{tag} />")
        return
    out.append(f"<{tag}>")
    for child in content:
        _out_inline(child, out)
    out.append(f"</{tag}>")


def _out_code(node: dict[str, Any], out: list[str]) -> None:
    language = _attrs(node).get("language")
    if language is not None and not isinstance(language, str):
        raise Invalid("Invalid atlas_doc_format: a codeBlock's language is a string")
    text = []
    for child in _content(node):
        if child["type"] != "text":
            raise _wrong(child, "in a codeBlock")
        text.append(child["text"])
    out.append('<ac:structured-macro ac:name="code" ac:schema-version="1">')
    if language:
        out.append(f'<ac:parameter ac:name="language">{_escape(language)}</ac:parameter>')
    out.append(f"<ac:plain-text-body>{_cdata(''.join(text))}</ac:plain-text-body></ac:structured-macro>")


def _out_kept(node: dict[str, Any], out: list[str]) -> None:
    """An ADF node this module does not map: its JSON, in a macro that converts back to it."""
    out.append(f'<ac:structured-macro ac:name="{ADF_MACRO}"><ac:plain-text-body>'
               f"{_cdata(json.dumps(node, ensure_ascii=False, separators=(',', ':')))}"
               "</ac:plain-text-body></ac:structured-macro>")


def _raw_storage(node: dict[str, Any]) -> str | None:
    attrs = _attrs(node)
    if attrs.get("extensionType") != RAW:
        return None
    storage = (attrs.get("parameters") or {}).get("storage") if isinstance(attrs.get("parameters"), dict) else None
    if not isinstance(storage, str):
        raise Invalid(f"Invalid atlas_doc_format: an extension of type {RAW} carries its storage in "
                      "parameters.storage")
    return storage


def _out_extension(node: dict[str, Any], out: list[str]) -> None:
    raw = _raw_storage(node)
    if raw is not None:
        out.append(_Verbatim(raw))  # kept verbatim (a malformed body read as ADF comes back as it was)
        return
    attrs = _attrs(node)
    key = attrs.get("extensionKey")
    parameters = attrs.get("parameters") or {}
    if attrs.get("extensionType") != MACRO or not isinstance(key, str) or not key or not isinstance(parameters, dict):
        _out_kept(node, out)
        return
    params = parameters.get("macroParams") or {}
    metadata = parameters.get("macroMetadata") or {}
    plain = parameters.get("plainTextBody")
    if (not isinstance(params, dict) or not isinstance(metadata, dict)
            or (plain is not None and not isinstance(plain, str))):
        _out_kept(node, out)
        return
    head = f'<ac:structured-macro ac:name={_quote(key)}'
    for meta, name in (("schemaVersion", "ac:schema-version"), ("macroId", "ac:macro-id")):
        value = metadata.get(meta)
        value = value.get("value") if isinstance(value, dict) else None
        if isinstance(value, str):
            head += f" {name}={_quote(value)}"
    out.append(head + ">")
    for name, param in params.items():
        value = param.get("value") if isinstance(param, dict) else param
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise Invalid(f"Invalid atlas_doc_format: macro parameter {str(name)[:40]!r} has no text value")
        out.append(f"<ac:parameter ac:name={_quote(str(name))}>{_escape(str(value))}</ac:parameter>")
    if node["type"] == "bodiedExtension":
        out.append("<ac:rich-text-body>")
        _out_blocks(_content(node), out)
        out.append("</ac:rich-text-body>")
    elif plain is not None:
        out.append(f"<ac:plain-text-body>{_cdata(plain)}</ac:plain-text-body>")
    out.append("</ac:structured-macro>")


def _out_inline(node: dict[str, Any], out: list[str]) -> None:
    kind = node["type"]
    if kind == "text":
        _out_text(node, out)
    elif kind == "hardBreak":
        out.append("<br />")
    elif kind == "mention":
        account = _attrs(node).get("id")
        if not isinstance(account, str) or not account:
            raise Invalid("Invalid atlas_doc_format: a mention's id is the account id of the user mentioned")
        out.append(f"<ac:link><ri:user ri:account-id={_quote(account)} /></ac:link>")
    elif kind == "emoji":
        _out_emoji(node, out)
    elif kind == "inlineExtension":
        raw = _raw_storage(node)
        if raw is None:
            _out_kept(node, out)
        else:
            out.append(_Verbatim(raw))
    elif kind in ("paragraph", "heading", "bulletList", "orderedList", "listItem", "blockquote", "rule", "codeBlock",
                  "panel", "table", "tableRow", "tableCell", "tableHeader", "extension", "bodiedExtension", "doc"):
        raise _wrong(node, "inline (in a paragraph or heading)")
    else:
        _out_kept(node, out)


def _out_emoji(node: dict[str, Any], out: list[str]) -> None:
    attrs = _attrs(node)
    short = attrs.get("shortName")
    if not isinstance(short, str) or not short:
        raise Invalid("Invalid atlas_doc_format: an emoji's shortName is a string (`:smile:`)")
    extra = {k: attrs[k] for k in ("id", "text") if k in attrs}
    if not all(isinstance(v, str) for v in extra.values()):
        raise Invalid("Invalid atlas_doc_format: an emoji's id and text are strings")
    inner = short[1:-1] if len(short) > 2 and short[0] == short[-1] == ":" else ""
    if not extra and inner and ":" not in inner:
        out.append(f"<ac:emoticon ac:name={_quote(inner)} />")
        return
    parts = [f"ac:emoji-shortname={_quote(short)}"]
    if "id" in extra:
        parts.append(f"ac:emoji-id={_quote(extra['id'])}")
    if "text" in extra:
        parts.append(f"ac:emoji-fallback={_quote(extra['text'])}")
    out.append(f'<ac:emoticon ac:name="blue-star" {" ".join(parts)} />')


def _out_text(node: dict[str, Any], out: list[str]) -> None:
    marks = node.get("marks") or []
    page = None
    kept = []
    for mark in marks:
        kind = mark["type"]
        attrs = mark.get("attrs") or {}
        if not isinstance(attrs, dict):
            raise Invalid(f"Invalid atlas_doc_format: the attrs of a {kind[:40]} mark are not an object")
        if kind == "subsup" and attrs.get("type") not in ("sub", "sup"):
            raise Invalid("Invalid atlas_doc_format: a subsup mark's type is sub or sup")
        if kind == "textColor" and (not isinstance(attrs.get("color"), str) or not attrs["color"]
                                    or ";" in attrs["color"]):
            raise Invalid("Invalid atlas_doc_format: a textColor mark's color is a colour")
        if kind == "link":
            if not isinstance(attrs.get("href"), str):
                raise Invalid("Invalid atlas_doc_format: a link mark's href is a string")
            target = _page_target(attrs["href"])
            if target is not None:
                page = target  # an ac:link, innermost: its body is plain text
                continue
        kept.append((kind, attrs))
    if page is None:
        wrapped = _escape(node["text"])
    else:
        key, title = page
        space = f" ri:space-key={_quote(key)}" if key else ""
        wrapped = (f"<ac:link><ri:page{space} ri:content-title={_quote(title)} />"
                   f"<ac:plain-text-link-body>{_cdata(node['text'])}</ac:plain-text-link-body></ac:link>")
    for kind, attrs in reversed(kept):
        if kind in _MARK_OUT:
            wrapped = f"<{_MARK_OUT[kind]}>{wrapped}</{_MARK_OUT[kind]}>"
        elif kind == "subsup":
            wrapped = f"<{attrs['type']}>{wrapped}</{attrs['type']}>"
        elif kind == "textColor":
            wrapped = f'<span style={_quote("color: " + attrs["color"] + ";")}>{wrapped}</span>'
        elif kind == "link":
            title = attrs.get("title")
            extra = f" title={_quote(title)}" if isinstance(title, str) else ""
            wrapped = f"<a href={_quote(attrs['href'])}{extra}>{wrapped}</a>"
        # other marks (annotations, background colours, alignment, ...) have no storage here: dropped
    out.append(wrapped)


def _page_target(href: str) -> tuple[str | None, str] | None:
    """`/wiki/display/KEY/Title` (or `/wiki/display/Title`, a page of the same space): (key, title)."""
    if not href.startswith(PAGE_LINK) or "?" in href or "#" in href:
        return None
    parts = href[len(PAGE_LINK):].split("/")
    if len(parts) == 1 and parts[0]:
        return None, unquote_plus(parts[0])
    if len(parts) == 2 and all(parts):
        return unquote_plus(parts[0]), unquote_plus(parts[1])
    return None


# ---------------------------------------------------------------------------------------------------
# A body as stored, read or written in a representation


def to_stored(value: str, representation: str) -> tuple[str, str]:
    """A body as written → as stored: ADF becomes storage (`Invalid` when it is not ADF)."""
    if representation == "atlas_doc_format":
        return adf_to_storage(value), "storage"
    return value, representation


def read_as(value: str, stored: str, representation: str) -> str:
    """A stored body read in `representation`: ADF as the JSON of the converted document; any other
    representation as the storage (which is HTML). A body stored as ADF before bondline converted
    (v1 kept whatever was written) is converted the other way; one that is not ADF is given as stored."""
    if representation == "atlas_doc_format":
        if stored == "atlas_doc_format":
            return value
        return json.dumps(storage_to_adf(value), ensure_ascii=False, separators=(",", ":"))
    if stored == "atlas_doc_format":
        try:
            return adf_to_storage(value)
        except Invalid:
            return value
    return value
