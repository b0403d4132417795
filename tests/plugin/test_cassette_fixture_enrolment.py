"""The cassette fixture is set up only for tests that use the plugin (a suite that never does pays
nothing for it), and where it is set up it comes first among the function-scoped fixtures, as an
autouse fixture would: a fixture that calls the API at set-up is recorded too."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

CASSETTE = "_convreplay_cassette"


@pytest.fixture(scope="session")
def wide():
    return 1


@pytest.fixture
def narrow(wide):
    return 2


def test_plain(request, narrow):
    print("plain", CASSETTE in request.fixturenames)


@pytest.mark.convreplay
def test_marked(request, narrow):
    names = request.fixturenames
    assert names.index("wide") < names.index(CASSETTE) < names.index("narrow")
    print("marked", CASSETTE in names)


def test_handle(request, convreplay):
    print("handle", CASSETTE in request.fixturenames)


class TestMarked:
    pytestmark = pytest.mark.convreplay

    def setup_method(self):
        pass

    def test_in_class(self, request):
        print("in class", CASSETTE in request.fixturenames)
"""


def test_only_tests_using_the_plugin_get_the_cassette_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*plain False*", "*marked True*", "*handle True*", "*in class True*"])


def test_blocking_the_network_suite_wide_gives_every_test_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-s", "-p", "no:randomly", "--convreplay-block-network")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*plain True*"])


def test_a_fixture_calling_the_api_at_set_up_is_recorded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_setup_call="""
        import httpx2, pytest
        from pytest_convreplay.emulator import ConversationsEmulator

        @pytest.fixture(scope="session")
        def api():
            with ConversationsEmulator() as emulator:
                emulator.seed_conversation(3)
                yield emulator

        @pytest.fixture
        def fetched(api):
            headers = {"authorization": f"Bearer {api.api_key}"}
            return httpx2.get(f"{api.base_url}/conversations/conv_nope/items", headers=headers).status_code

        @pytest.mark.convreplay
        def test_it(fetched, convreplay):
            assert convreplay.requests, "the set-up call was not under the cassette"
        """
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    (cassette,) = pytester.path.rglob("test_it.yaml")
    assert "conv_nope" in cassette.read_text()
