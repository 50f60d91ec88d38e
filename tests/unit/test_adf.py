"""Storage ⇄ ADF (bondline.domain.adf): a table of node types that convert both ways to each other,
storage that is not in canonical form, what is kept verbatim, invalid ADF, and a fuzz that no input
gives anything but a value or `Invalid`. Every ADF document produced is valid against Atlassian's
JSON schema (tests/vendor/adf, with its provenance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondline.domain import adf
from bondline.domain.errors import Invalid

SCHEMA = json.loads((Path(__file__).parent.parent / "vendor" / "adf" / "full.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)} if content else {"type": "paragraph"}


def item(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "content": list(content)}


def valid(document: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, [e.message[:200] for e in errors[:3]]


CODE = '<ac:structured-macro ac:name="code" ac:schema-version="1">'

# Canonical storage and its ADF: each converts to the other, exactly.
BOTH_WAYS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("empty", "", []),
    ("paragraph", "<p>Hello</p>", [para(text("Hello"))]),
    ("empty paragraph", "<p />", [para()]),
    ("entities", "<p>a &amp; b &lt;c&gt; \u00a0é</p>", [para(text("a & b <c> \u00a0é"))]),
    *[(f"heading {n}", f"<h{n}>Title</h{n}>", [{"type": "heading", "attrs": {"level": n},
                                                "content": [text("Title")]}]) for n in range(1, 7)],
    ("strong", "<p><strong>b</strong></p>", [para(text("b", {"type": "strong"}))]),
    ("em", "<p><em>i</em></p>", [para(text("i", {"type": "em"}))]),
    ("code mark", "<p><code>x()</code></p>", [para(text("x()", {"type": "code"}))]),
    ("strike", "<p><s>gone</s></p>", [para(text("gone", {"type": "strike"}))]),
    ("underline", "<p><u>u</u></p>", [para(text("u", {"type": "underline"}))]),
    ("sub and sup", "<p>H<sub>2</sub>O x<sup>2</sup></p>",
     [para(text("H"), text("2", {"type": "subsup", "attrs": {"type": "sub"}}), text("O x"),
           text("2", {"type": "subsup", "attrs": {"type": "sup"}}))]),
    ("text colour", '<p><span style="color: #ff0000;">red</span></p>',
     [para(text("red", {"type": "textColor", "attrs": {"color": "#ff0000"}}))]),
    ("nested marks", "<p><strong><em>both</em></strong></p>",
     [para(text("both", {"type": "strong"}, {"type": "em"}))]),
    ("link", '<p><a href="https://example.com/?a=1&amp;b=2">site</a></p>',
     [para(text("site", {"type": "link", "attrs": {"href": "https://example.com/?a=1&b=2"}}))]),
    ("link with title", '<p><a href="https://example.com" title="T">site</a></p>',
     [para(text("site", {"type": "link", "attrs": {"href": "https://example.com", "title": "T"}}))]),
    ("marked link", '<p><strong><a href="https://example.com">bold link</a></strong></p>',
     [para(text("bold link", {"type": "strong"}, {"type": "link", "attrs": {"href": "https://example.com"}}))]),
    ("hard break", "<p>a<br />b</p>", [para(text("a"), {"type": "hardBreak"}, text("b"))]),
    ("rule", "<hr />", [{"type": "rule"}]),
    ("blockquote", "<blockquote><p>quoted</p></blockquote>",
     [{"type": "blockquote", "content": [para(text("quoted"))]}]),
    ("bullet list", "<ul><li><p>one</p></li><li><p>two</p></li></ul>",
     [{"type": "bulletList", "content": [item(para(text("one"))), item(para(text("two")))]}]),
    ("ordered list", "<ol><li><p>one</p></li></ol>",
     [{"type": "orderedList", "content": [item(para(text("one")))]}]),
    ("ordered list from 3", '<ol start="3"><li><p>three</p></li></ol>',
     [{"type": "orderedList", "attrs": {"order": 3}, "content": [item(para(text("three")))]}]),
    ("nested lists", "<ul><li><p>a</p><ol><li><p>a.1</p><ul><li><p>deep</p></li></ul></li></ol></li></ul>",
     [{"type": "bulletList", "content": [item(para(text("a")), {"type": "orderedList", "content": [
         item(para(text("a.1")), {"type": "bulletList", "content": [item(para(text("deep")))]})]})]}]),
    ("code block", CODE + '<ac:parameter ac:name="language">python</ac:parameter>'
     "<ac:plain-text-body><![CDATA[if a < b:\n    print('&')]]></ac:plain-text-body></ac:structured-macro>",
     [{"type": "codeBlock", "attrs": {"language": "python"}, "content": [text("if a < b:\n    print('&')")]}]),
    ("code block holding ]]>", CODE + "<ac:plain-text-body><![CDATA[x]]]]><![CDATA[>y]]></ac:plain-text-body>"
     "</ac:structured-macro>", [{"type": "codeBlock", "content": [text("x]]>y")]}]),
    ("empty code block", CODE + "<ac:plain-text-body><![CDATA[]]></ac:plain-text-body></ac:structured-macro>",
     [{"type": "codeBlock"}]),
    ("table", "<table><tbody><tr><th><p>H1</p></th><th><p>H2</p></th></tr>"
     '<tr><td colspan="2"><p>wide</p></td></tr><tr><td rowspan="2"><p>tall</p></td><td><p>x</p></td></tr>'
     "</tbody></table>",
     [{"type": "table", "content": [
         {"type": "tableRow", "content": [{"type": "tableHeader", "content": [para(text("H1"))]},
                                          {"type": "tableHeader", "content": [para(text("H2"))]}]},
         {"type": "tableRow", "content": [{"type": "tableCell", "attrs": {"colspan": 2},
                                           "content": [para(text("wide"))]}]},
         {"type": "tableRow", "content": [{"type": "tableCell", "attrs": {"rowspan": 2},
                                           "content": [para(text("tall"))]},
                                          {"type": "tableCell", "content": [para(text("x"))]}]}]}]),
    ("table layout", '<table data-layout="wide"><tbody><tr><td><p>c</p></td></tr></tbody></table>',
     [{"type": "table", "attrs": {"layout": "wide"}, "content": [
         {"type": "tableRow", "content": [{"type": "tableCell", "content": [para(text("c"))]}]}]}]),
    ("mention", '<p>Hi <ac:link><ri:user ri:account-id="5b10ac8d82e05b22cc7d4ef5" /></ac:link>!</p>',
     [para(text("Hi "), {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5"}}, text("!"))]),
    ("page link", '<p><ac:link><ri:page ri:space-key="DOC" ri:content-title="Release notes" />'
     "<ac:plain-text-link-body><![CDATA[the notes]]></ac:plain-text-link-body></ac:link></p>",
     [para(text("the notes", {"type": "link", "attrs": {"href": "/wiki/display/DOC/Release+notes"}}))]),
    ("page link in this space", '<p><ac:link><ri:page ri:content-title="A/B &amp; C" />'
     "<ac:plain-text-link-body><![CDATA[ab]]></ac:plain-text-link-body></ac:link></p>",
     [para(text("ab", {"type": "link", "attrs": {"href": "/wiki/display/A%2FB+%26+C"}}))]),
    ("info panel", '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>i</p>'
     "</ac:rich-text-body></ac:structured-macro>",
     [{"type": "panel", "attrs": {"panelType": "info"}, "content": [para(text("i"))]}]),
    ("warning panel", '<ac:structured-macro ac:name="warning" ac:schema-version="1"><ac:rich-text-body><p>w</p>'
     "</ac:rich-text-body></ac:structured-macro>",
     [{"type": "panel", "attrs": {"panelType": "error"}, "content": [para(text("w"))]}]),
    ("note panel", '<ac:structured-macro ac:name="panel" ac:schema-version="1">'
     '<ac:parameter ac:name="panelType">note</ac:parameter><ac:rich-text-body><p>n</p></ac:rich-text-body>'
     "</ac:structured-macro>",
     [{"type": "panel", "attrs": {"panelType": "note"}, "content": [para(text("n"))]}]),
    ("tip panel", '<ac:structured-macro ac:name="panel" ac:schema-version="1">'
     '<ac:parameter ac:name="panelType">tip</ac:parameter><ac:rich-text-body><p>t</p></ac:rich-text-body>'
     "</ac:structured-macro>",
     [{"type": "panel", "attrs": {"panelType": "tip"}, "content": [para(text("t"))]}]),
    ("success panel", '<ac:structured-macro ac:name="tip" ac:schema-version="1"><ac:rich-text-body><p>s</p>'
     "</ac:rich-text-body></ac:structured-macro>",
     [{"type": "panel", "attrs": {"panelType": "success"}, "content": [para(text("s"))]}]),
    ("macro", '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="m-1">'
     '<ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>',
     [{"type": "extension", "attrs": {"extensionType": adf.MACRO, "extensionKey": "toc", "parameters": {
         "macroParams": {"maxLevel": {"value": "2"}},
         "macroMetadata": {"macroId": {"value": "m-1"}, "schemaVersion": {"value": "1"}}}}}]),
    ("macro with a body", '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter>'
     "<ac:rich-text-body><p>hidden</p></ac:rich-text-body></ac:structured-macro>",
     [{"type": "bodiedExtension", "attrs": {"extensionType": adf.MACRO, "extensionKey": "expand", "parameters": {
         "macroParams": {"title": {"value": "More"}}}}, "content": [para(text("hidden"))]}]),
    ("macro with a plain body", '<ac:structured-macro ac:name="noformat"><ac:plain-text-body><![CDATA[a <b>]]>'
     "</ac:plain-text-body></ac:structured-macro>",
     [{"type": "extension", "attrs": {"extensionType": adf.MACRO, "extensionKey": "noformat", "parameters": {
         "macroParams": {}, "plainTextBody": "a <b>"}}}]),
    ("unknown block element, kept", '<ac:image ac:width="200"><ri:attachment ri:filename="a.png" /></ac:image>',
     [{"type": "extension", "attrs": {"extensionType": adf.RAW, "extensionKey": "ac:image", "parameters": {
         "storage": '<ac:image ac:width="200"><ri:attachment ri:filename="a.png" /></ac:image>'}}}]),
    ("emoticon", '<p>x<ac:emoticon ac:name="smile" />y</p>',
     [para(text("x"), {"type": "emoji", "attrs": {"shortName": ":smile:"}}, text("y"))]),
    ("emoji", '<p><ac:emoticon ac:name="blue-star" ac:emoji-shortname=":grinning:" ac:emoji-id="1f600" '
     'ac:emoji-fallback="\U0001F600" /></p>',
     [para({"type": "emoji", "attrs": {"shortName": ":grinning:", "id": "1f600", "text": "\U0001F600"}})]),
    ("unknown inline element, kept", '<p>x<time datetime="2026-12-07" />y</p>',
     [para(text("x"), {"type": "inlineExtension", "attrs": {
         "extensionType": adf.RAW, "extensionKey": "time",
         "parameters": {"storage": '<time datetime="2026-12-07" />'}}}, text("y"))]),
    ("macro with a page parameter, kept", '<ac:structured-macro ac:name="include"><ac:parameter ac:name="">'
     '<ac:link><ri:page ri:content-title="Other" /></ac:link></ac:parameter></ac:structured-macro>',
     [{"type": "extension", "attrs": {"extensionType": adf.RAW, "extensionKey": "ac:structured-macro",
                                      "parameters": {"storage": '<ac:structured-macro ac:name="include">'
                                                     '<ac:parameter ac:name=""><ac:link><ri:page ri:content-title='
                                                     '"Other" /></ac:link></ac:parameter></ac:structured-macro>'}}}]),
    ("everything together", "<h2>Plan</h2><p>Ask <ac:link><ri:user ri:account-id=\"a1\" /></ac:link>.</p>"
     "<ul><li><p><strong>now</strong></p></li></ul><hr />",
     [{"type": "heading", "attrs": {"level": 2}, "content": [text("Plan")]},
      para(text("Ask "), {"type": "mention", "attrs": {"id": "a1"}}, text(".")),
      {"type": "bulletList", "content": [item(para(text("now", {"type": "strong"})))]}, {"type": "rule"}]),
]


@pytest.mark.parametrize(("storage", "content"), [(s, c) for _, s, c in BOTH_WAYS],
                         ids=[name for name, _, _ in BOTH_WAYS])
def test_storage_and_adf_convert_to_each_other(storage: str, content: list[dict[str, Any]]) -> None:
    converted = adf.storage_to_adf(storage)
    assert converted == doc(*content)
    valid(converted)
    assert adf.adf_to_storage(doc(*content)) == storage
    assert adf.adf_to_storage(json.dumps(doc(*content))) == storage  # as a body's value carries it
    assert adf.storage_to_adf(adf.adf_to_storage(converted)) == converted


# Storage written otherwise (as editors and people write it): its ADF, and back in canonical form.
OTHER_FORMS: list[tuple[str, str, list[dict[str, Any]], str]] = [
    ("b and i", "<p><b>b</b><i>i</i></p>", [para(text("b", {"type": "strong"}), text("i", {"type": "em"}))],
     "<p><strong>b</strong><em>i</em></p>"),
    ("del and strike", "<p><del>a</del><strike>b</strike></p>",
     [para(text("a", {"type": "strike"}), text("b", {"type": "strike"}))], "<p><s>a</s><s>b</s></p>"),
    ("layout whitespace", "<ul>\n  <li>one</li>\n</ul>\n<p>x</p>\n",
     [{"type": "bulletList", "content": [item(para(text("one")))]}, para(text("x"))],
     "<ul><li><p>one</p></li></ul><p>x</p>"),
    ("text outside paragraphs", "loose <strong>text</strong><h1>T</h1>tail",
     [para(text("loose "), text("text", {"type": "strong"})),
      {"type": "heading", "attrs": {"level": 1}, "content": [text("T")]}, para(text("tail"))],
     "<p>loose <strong>text</strong></p><h1>T</h1><p>tail</p>"),
    ("table with thead and colgroup", "<table><colgroup><col /></colgroup><thead><tr><th>h</th></tr></thead>"
     "<tbody><tr><td>c</td></tr></tbody></table>",
     [{"type": "table", "content": [
         {"type": "tableRow", "content": [{"type": "tableHeader", "content": [para(text("h"))]}]},
         {"type": "tableRow", "content": [{"type": "tableCell", "content": [para(text("c"))]}]}]}],
     "<table><tbody><tr><th><p>h</p></th></tr><tr><td><p>c</p></td></tr></tbody></table>"),
    ("pre", "<pre>x &lt; y</pre>", [{"type": "codeBlock", "content": [text("x < y")]}],
     CODE + "<ac:plain-text-body><![CDATA[x < y]]></ac:plain-text-body></ac:structured-macro>"),
    ("code macro with a title (dropped)", '<ac:structured-macro ac:name="code" ac:macro-id="x">'
     '<ac:parameter ac:name="language">sql</ac:parameter>'
     "<ac:plain-text-body><![CDATA[select 1]]></ac:plain-text-body></ac:structured-macro>",
     [{"type": "codeBlock", "attrs": {"language": "sql"}, "content": [text("select 1")]}],
     CODE + '<ac:parameter ac:name="language">sql</ac:parameter>'
     "<ac:plain-text-body><![CDATA[select 1]]></ac:plain-text-body></ac:structured-macro>"),
    ("page link without a body", '<p><ac:link><ri:page ri:content-title="Home" /></ac:link></p>',
     [para(text("Home", {"type": "link", "attrs": {"href": "/wiki/display/Home"}}))],
     '<p><ac:link><ri:page ri:content-title="Home" /><ac:plain-text-link-body><![CDATA[Home]]>'
     "</ac:plain-text-link-body></ac:link></p>"),
    ("empty list item and blockquote", "<ul><li /></ul><blockquote />",
     [{"type": "bulletList", "content": [item(para())]}, {"type": "blockquote", "content": [para()]}],
     "<ul><li><p /></li></ul><blockquote><p /></blockquote>"),
]


@pytest.mark.parametrize(("storage", "content", "canonical"), [(s, c, k) for _, s, c, k in OTHER_FORMS],
                         ids=[name for name, *_ in OTHER_FORMS])
def test_storage_in_other_forms(storage: str, content: list[dict[str, Any]], canonical: str) -> None:
    converted = adf.storage_to_adf(storage)
    assert converted == doc(*content)
    valid(converted)
    assert adf.adf_to_storage(converted) == canonical


def test_storage_that_is_not_xml_is_kept_verbatim() -> None:
    for broken in ("<p>unclosed", "<p>a &bogus; b</p>", "<x:unknown-prefix />", "</p>", "<p>a</p></bondline><p>"):
        converted = adf.storage_to_adf(broken)
        assert converted == doc({"type": "extension", "attrs": {
            "extensionType": adf.RAW, "extensionKey": "document", "parameters": {"storage": broken}}})
        valid(converted)
        assert adf.adf_to_storage(converted) == broken


def test_storage_nested_too_deep_is_kept_verbatim() -> None:
    deep = "<blockquote>" * 200 + "<p>x</p>" + "</blockquote>" * 200
    converted = adf.storage_to_adf(deep)
    assert converted["content"][0]["attrs"]["extensionKey"] == "document"
    assert adf.adf_to_storage(converted) == deep


# ADF nodes bondline has no storage for: kept in an adf-node macro, and read back as they were.
KEPT_NODES: list[tuple[str, dict[str, Any], bool]] = [
    ("status", {"type": "status", "attrs": {"text": "DONE", "color": "green", "localId": "s1"}}, True),
    ("date", {"type": "date", "attrs": {"timestamp": "1700000000000"}}, True),
    ("placeholder", {"type": "placeholder", "attrs": {"text": "Type here"}}, True),
    ("inline card", {"type": "inlineCard", "attrs": {"url": "https://example.com/x"}}, True),
    ("task list", {"type": "taskList", "attrs": {"localId": "t"}, "content": [
        {"type": "taskItem", "attrs": {"localId": "t1", "state": "TODO"}, "content": [text("do ]]> it")]}]}, False),
    ("expand", {"type": "expand", "attrs": {"title": "More"}, "content": [para(text("x"))]}, False),
    ("forge extension", {"type": "extension", "attrs": {"extensionType": "com.atlassian.ecosystem",
                                                        "extensionKey": "app/key", "parameters": {"a": [1]}}}, False),
]


@pytest.mark.parametrize(("node", "inline"), [(n, i) for _, n, i in KEPT_NODES], ids=[k for k, _, _ in KEPT_NODES])
def test_adf_nodes_without_storage_are_kept(node: dict[str, Any], inline: bool) -> None:
    document = doc(para(text("a "), node)) if inline else doc(node)
    valid(document)
    storage = adf.adf_to_storage(document)
    assert "adf-node" in storage
    assert adf.storage_to_adf(storage) == document


def test_unmapped_marks_are_dropped_and_the_text_kept() -> None:
    document = doc(para(text("noted", {"type": "annotation", "attrs": {"id": "x", "annotationType": "inlineComment"}},
                             {"type": "strong"})))
    assert adf.adf_to_storage(document) == "<p><strong>noted</strong></p>"


INVALID: list[tuple[str, Any]] = [
    ("not json", "{not json"),
    ("json, not a document", "[1, 2]"),
    ("empty object", "{}"),
    ("not a doc", json.dumps({"type": "paragraph", "content": []})),
    ("version 2", json.dumps({"type": "doc", "version": 2, "content": []})),
    ("content not a list", json.dumps({"type": "doc", "version": 1, "content": {}})),
    ("node not an object", json.dumps(doc("x"))),  # type: ignore[arg-type]
    ("node without type", json.dumps(doc({"content": []}))),
    ("attrs not an object", json.dumps(doc({"type": "paragraph", "attrs": []}))),
    ("marks not a list", json.dumps(doc(para({"type": "text", "text": "x", "marks": {}})))),
    ("empty text", json.dumps(doc(para({"type": "text", "text": ""})))),
    ("text at block level", json.dumps(doc(text("x")))),
    ("paragraph in a paragraph", json.dumps(doc(para(para(text("x")))))),
    ("heading level 7", json.dumps(doc({"type": "heading", "attrs": {"level": 7}, "content": [text("x")]}))),
    ("heading without level", json.dumps(doc({"type": "heading", "content": [text("x")]}))),
    ("paragraph in a list", json.dumps(doc({"type": "bulletList", "content": [para(text("x"))]}))),
    ("cell outside a row", json.dumps(doc({"type": "table", "content": [
        {"type": "tableCell", "content": [para()]}]}))),
    ("colspan zero", json.dumps(doc({"type": "table", "content": [{"type": "tableRow", "content": [
        {"type": "tableCell", "attrs": {"colspan": 0}, "content": [para()]}]}]}))),
    ("mention without id", json.dumps(doc(para({"type": "mention", "attrs": {}})))),
    ("emoji without shortName", json.dumps(doc(para({"type": "emoji", "attrs": {"text": "x"}})))),
    ("link without href", json.dumps(doc(para(text("x", {"type": "link", "attrs": {}}))))),
    ("panel of no type", json.dumps(doc({"type": "panel", "attrs": {"panelType": "purple"}, "content": [para()]}))),
    ("kept storage not a string", json.dumps(doc({"type": "extension", "attrs": {
        "extensionType": adf.RAW, "extensionKey": "x", "parameters": {"storage": 1}}}))),
    ("nested too deep", json.dumps(doc(*[{"type": "blockquote", "content": []}]))[:-2]
     + "".join('{"type":"blockquote","content":[' for _ in range(100)) + "]}" * 100 + "]}"),
    ("json nested past the interpreter's limit", "[" * 100_000 + "]" * 100_000),
    ("NUL in text", json.dumps(doc(para(text("a\u0000b"))))),
    ("control character in a link", json.dumps(doc(para(text("a", {"type": "link", "attrs": {"href": "x\u0001"}}))))),
    ("lone surrogate", '{"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": '
     '[{"type": "text", "text": "\\ud800"}]}]}'),
]


@pytest.mark.parametrize("value", [v for _, v in INVALID], ids=[k for k, _ in INVALID])
def test_invalid_adf(value: str) -> None:
    with pytest.raises(Invalid) as raised:
        adf.adf_to_storage(value)
    assert raised.value.message.startswith("Invalid atlas_doc_format")


def test_reading_and_writing_through_representations() -> None:
    storage = "<p>x</p>"
    written = json.dumps(doc(para(text("x"))))
    assert adf.to_stored(written, "atlas_doc_format") == (storage, "storage")
    assert adf.to_stored(storage, "storage") == (storage, "storage")
    assert json.loads(adf.read_as(storage, "storage", "atlas_doc_format")) == doc(para(text("x")))
    assert adf.read_as(storage, "storage", "view") == storage
    # A body stored as ADF (v1 kept what was written, before bondline converted): read both ways.
    assert adf.read_as(written, "atlas_doc_format", "atlas_doc_format") == written
    assert adf.read_as(written, "atlas_doc_format", "storage") == storage
    assert adf.read_as("not adf", "atlas_doc_format", "storage") == "not adf"


# --- fuzz: any input gives a value or Invalid ----------------------------------------------------

TAGS = ["p", "h1", "h6", "ul", "ol", "li", "table", "tbody", "tr", "td", "th", "strong", "em", "a", "br", "hr",
        "blockquote", "pre", "span", "ac:link", "ri:user", "ri:page", "ac:structured-macro", "ac:parameter",
        "ac:rich-text-body", "ac:plain-text-body", "ac:plain-text-link-body", "code", "sub", "div"]
ATTRS = ['ac:name="code"', 'ac:name="info"', 'ac:name="language"', 'ri:account-id="u"', 'ri:content-title="T"',
         'href="h"', 'style="color: red"', 'colspan="2"', 'start="4"', 'ac:name="adf-node"', ""]


@st.composite
def storage_trees(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 5 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            attr = draw(st.sampled_from(ATTRS))
            inner = draw(storage_trees(depth + 1))
            parts.append(f"<{tag} {attr}>{inner}</{tag}>")
        else:
            parts.append(draw(st.sampled_from(["x", " ", "&amp;", "&nbsp;", "<![CDATA[c]]>", "<br />", "]]>",
                                               '{"type":"rule"}', "<p>", "&bogus;"])))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storage_trees())
def test_fuzz_storage_converts_and_round_trips(storage: str) -> None:
    converted = adf.storage_to_adf(storage)
    back = adf.adf_to_storage(converted)  # storage's own ADF is always valid ADF
    assert adf.storage_to_adf(back) == adf.storage_to_adf(adf.adf_to_storage(adf.storage_to_adf(back)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 8) | st.text(max_size=6) | st.sampled_from(
        ["doc", "paragraph", "text", "heading", "bulletList", "listItem", "table", "tableRow", "tableCell", "mention",
         "codeBlock", "panel", "extension", "link", "strong", "x", "", "info", adf.RAW, adf.MACRO]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "content", "attrs", "marks", "text", "level", "href", "id", "version",
                         "extensionType", "extensionKey", "parameters", "panelType", "storage"]), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_fuzz_adf_gives_storage_or_invalid(value: Any) -> None:
    try:
        storage = adf.adf_to_storage(json.dumps({"type": "doc", "version": 1, "content": value})
                                     if isinstance(value, list) else json.dumps(value))
    except Invalid:
        return
    adf.storage_to_adf(storage)  # never fails
