"""Reading link targets out of storage-format bodies (domain/links.py)."""

from __future__ import annotations

from bondline.domain import links
from bondline.domain.links import ById, ByTitle


def test_every_form_once_in_order() -> None:
    body = ('<p><ac:link><ri:page ri:content-title="A &amp; B" ri:space-key="K"/></ac:link>'
            '<a href="/wiki/spaces/K/pages/12/Some+Title">x</a>'
            '<a href="https://site.test/wiki/pages/viewpage.action?pageId=13">y</a>'
            '<a href="/x/14">tiny</a><a href="/wiki/x/DAAV">tiny, Confluence</a>'
            '<ac:link><ri:page ri:content-title="Here"></ri:page></ac:link>'
            '<ac:link><ri:page ri:content-id="15"/></ac:link>'
            '<a href="/wiki/spaces/K/pages/12">again</a></p>')
    assert links.targets(body) == [ByTitle("A & B", "K"), ById(12), ById(13), ById(14), ById(1376268),
                                   ByTitle("Here", None), ById(15)]


def test_what_is_not_a_page_link() -> None:
    body = ('<ri:page ri:content-title="outside a link"/><ac:link><ri:user ri:account-id="u"/></ac:link>'
            '<a href="mailto:x@y">m</a><a href="/wiki/spaces/K/overview">o</a><a href="/pages/viewpage.action">n</a>'
            '<a href="/x/!!">bad</a><a href="/wiki/spaces/K/pages/0">zero</a><a href="javascript:alert(1)">j</a>'
            '<a href="http://[::1">broken</a><p')
    assert links.targets(body) == []
    assert links.targets(None) == [] and links.targets("") == []


def test_a_large_body_is_bounded() -> None:
    body = "".join(f'<a href="/x/{n}">{n}</a>' for n in range(1, links.MAX_TARGETS + 500))
    found = links.targets(body)
    assert len(found) == links.MAX_TARGETS and found[0] == ById(1)


def test_whose_links_are_kept() -> None:
    assert links.tracked("page", "current") and links.tracked("blogpost", "current")
    assert not links.tracked("page", "draft") and not links.tracked("page", "trashed")
    assert not links.tracked("comment", "current")
