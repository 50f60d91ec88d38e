"""Storage ⇄ ADF conversion (docs/decisions/0021-adf-conversion.md): how long `bondline.domain.adf`
takes on a page of the size people write (about 8 kB of storage: headings, paragraphs with marks and
links, nested lists, a table, code blocks, mentions), both ways, next to parsing the same storage
alone with the standard library's expat (`xml.etree`) and with `html.parser`. Run with
``python bench/decisions/adf_conversion.py``.
"""

from __future__ import annotations

import json
import timeit
from html.parser import HTMLParser

from bondline.domain import adf


def page() -> str:
    parts = []
    for n in range(20):
        parts.append(f"<h2>Section {n}</h2>")
        parts.append(f'<p>Some <strong>bold</strong> and <em>emphasis</em>, a <a href="https://example.com/{n}">link'
                     f'</a> and <ac:link><ri:user ri:account-id="acc-{n}" /></ac:link>&nbsp;here.</p>')
        parts.append("<ul><li><p>one</p><ul><li><p>nested</p></li></ul></li><li><p>two</p></li></ul>")
        if n % 5 == 0:
            rows = "".join(f"<tr><td><p>r{r}</p></td><td><p>value {r}</p></td></tr>" for r in range(8))
            parts.append(f"<table><tbody><tr><th><p>Key</p></th><th><p>Value</p></th></tr>{rows}</tbody></table>")
            parts.append('<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">'
                         'python</ac:parameter><ac:plain-text-body><![CDATA[def f(x):\n    return x < 1\n]]>'
                         "</ac:plain-text-body></ac:structured-macro>")
    return "".join(parts)


class _Counting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1


def per_call_ms(fn, number: int = 50) -> float:  # type: ignore[no-untyped-def]
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1000


def main() -> None:
    storage = page()
    document = adf.storage_to_adf(storage)
    text = json.dumps(document)
    nodes = text.count('"type"')
    print(f"storage: {len(storage):,} bytes; ADF: {len(text):,} bytes, {nodes} nodes and marks")

    def html_parser() -> None:
        parser = _Counting()
        parser.feed(storage)
        parser.close()

    print(f"parse only, xml.etree (expat):   {per_call_ms(lambda: adf._parse(storage)):.2f} ms")
    print(f"parse only, html.parser:         {per_call_ms(html_parser):.2f} ms")
    to_adf = per_call_ms(lambda: adf.read_as(storage, "storage", "atlas_doc_format"))
    print(f"storage → ADF (to JSON):         {to_adf:.2f} ms")
    print(f"ADF (JSON) → storage:            {per_call_ms(lambda: adf.adf_to_storage(text)):.2f} ms")


if __name__ == "__main__":
    main()
