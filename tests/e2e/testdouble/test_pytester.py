"""The plugin in a user's project, run by pytest in a subprocess (pytester): the README's complete
example with atlassian-python-api, configuration from an ini file, a broken seed file reported
with its line, and `-p no:bondline`."""

from __future__ import annotations

import pathlib

import pytest

from tests.e2e.testdouble.readme import readme_example

HERE = pathlib.Path(__file__).parent

pytestmark = pytest.mark.live


def test_the_readme_example_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("atlassian", reason="atlassian-python-api is not installed")
    (pytester.path / "myteam").mkdir()
    (pytester.path / "myteam" / "__init__.py").write_text("")
    (pytester.path / "myteam" / "favourites.py").write_text(readme_example("myteam/favourites.py"))
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_favourites.py").write_text(readme_example("tests/test_favourites.py"))
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=3)


def test_ini_configuration_module_scope_and_a_broken_seed(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbondline_seed = data/site.yaml\nbondline_scope = module\n")
    (pytester.path / "data").mkdir()
    (pytester.path / "data" / "site.yaml").write_text((HERE / "site.yaml").read_text())
    (pytester.path / "broken.yaml").write_text("users:\n  - accountId: x\n    email: x@example.com\n    nme: X\n")
    pytester.makepyfile(test_site="""
        import pytest

        def test_writes(bondline_client):
            assert bondline_client.users.current()["accountId"] == "ada"
            bondline_client.spaces.create("KEEP", "Kept for the module")

        def test_module_scope_keeps_it(bondline_client, bondline_server):
            assert bondline_client.spaces.get("KEEP")["key"] == "KEEP"
            assert bondline_server.tokens["ada"].startswith("blt_AdaFixed01_")

        @pytest.mark.bondline(seed="broken.yaml")
        def test_broken_seed(bondline_server):
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*bondline seed: *broken.yaml:4:5: users[[]0[]].nme: Object contains unknown field `nme`*"])


def test_the_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("def test_needs_it(bondline_server):\n    pass\n")
    result = pytester.runpytest("-p", "no:bondline", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'bondline_server' not found*"])
