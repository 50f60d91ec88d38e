"""The segment router: literals beat parameters, with backtracking, and encoded slashes stay put."""

from __future__ import annotations

import pytest

from bondline.http.router import BadPath, Router, split_path


async def _h(req):  # type: ignore[no-untyped-def]
    return None


@pytest.fixture
def router() -> Router:
    r = Router()
    for pattern in ("/a/b/c", "/a/{x}/d", "/a/{x}/{y}/e", "/a/b", "/wiki/{k}", "/wiki/literal/deep"):
        r.add("GET", pattern, _h, dialect=None)
    r.add("POST", "/a/b", _h, dialect=None)
    return r


@pytest.mark.parametrize("path,pattern,values", [
    ("/a/b/c", "/a/b/c", []),
    ("/a/b/d", "/a/{x}/d", ["b"]),          # the literal 'b' dead-ends: back to the parameter
    ("/a/z/d", "/a/{x}/d", ["z"]),
    ("/a/b/q/e", "/a/{x}/{y}/e", ["b", "q"]),
    ("/a/b", "/a/b", []),
    ("/wiki/literal", "/wiki/{k}", ["literal"]),
    ("/wiki/literal/deep", "/wiki/literal/deep", []),
])
def test_match(router: Router, path: str, pattern: str, values: list[str]) -> None:
    routes, found = router.match(split_path(path.encode()))
    assert routes is not None and routes["GET"].pattern == pattern and found == values


@pytest.mark.parametrize("path", ["/a", "/a/b/c/d", "/a//d", "/wiki/", "/nope", "/a/b/x"])
def test_no_match(router: Router, path: str) -> None:
    assert router.match(split_path(path.encode()))[0] is None


def test_methods_share_a_node(router: Router) -> None:
    routes, _ = router.match(["a", "b"])
    assert set(routes) == {"GET", "POST"}


def test_encoded_slash_stays_in_its_segment() -> None:
    assert split_path(b"/wiki/a%2Fb/c") == ["wiki", "a/b", "c"]
    with pytest.raises(BadPath):
        split_path(b"/wiki/%ff%fe")


def test_a_trailing_slash_is_a_route_of_its_own() -> None:
    r = Router()
    r.add("GET", "/ui", _h, dialect=None)
    r.add("GET", "/ui/", _h, dialect=None)
    r.add("GET", "/ui/x", _h, dialect=None)
    assert r.match(split_path(b"/ui"))[0]["GET"].pattern == "/ui"  # type: ignore[index]
    assert r.match(split_path(b"/ui/"))[0]["GET"].pattern == "/ui/"  # type: ignore[index]
    assert r.match(split_path(b"/ui/x"))[0]["GET"].pattern == "/ui/x"  # type: ignore[index]
    assert r.match(split_path(b"/ui/x/"))[0] is None
    assert r.match(split_path(b"/ui//"))[0] is None
