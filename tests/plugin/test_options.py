"""Where options come from and how they combine: ini < convreplay_config < marker < command line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_convreplay.emulator import ConversationsEmulator


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


def suite(pytester: pytest.Pytester, api: ConversationsEmulator, marker: str = "", body: str = "") -> str:
    conversation_id = api.seed_mixed_conversation()
    pytester.makepyfile(
        test_paging=f"""
        import httpx, pytest
        from pytest_convreplay.plugin import RECORDING

        def recording(request):  # the engine behind the handle: what these tests check
            return request.node.stash[RECORDING]

        @pytest.mark.convreplay{marker}
        def test_paging(request, convreplay):
            headers = {{"authorization": "Bearer {api.api_key}"}}
            page = httpx.get("{api.base_url}/conversations/{conversation_id}/items?limit=3", headers=headers)
            assert page.status_code == 200
            {body or "pass"}
        """
    )
    return conversation_id


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("shared-history", "test_paging/shared-history.yaml"),
        ("../shared/history", "shared/history.yaml"),  # no empty test_paging folder on the way
        ("gpt-4.1", "test_paging/gpt-4.1.yaml"),  # a dot in a name is not a suffix
        ("history.v2", "test_paging/history.v2.yaml"),
    ],
)
def test_marker_cassette_name_is_resolved_in_the_module_folder(
    pytester: pytest.Pytester, api: ConversationsEmulator, name: str, written: str
) -> None:
    suite(pytester, api, marker=f'(cassette="{name}")')
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    cassettes = pytester.path / "cassettes"
    assert sorted(str(p.relative_to(cassettes)) for p in cassettes.rglob("*.yaml")) == [written]
    pytester.runpytest().assert_outcomes(passed=1)


def test_ini_cassette_dir_moves_every_cassette(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    pytester.makeini("[pytest]\nconvreplay_cassette_dir = recorded/http\n")
    suite(pytester, api)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / "recorded" / "http" / "test_paging" / "test_paging.yaml").is_file()


def test_ini_record_mode_records_without_a_command_line_flag(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeini("[pytest]\nconvreplay_record_mode = once\n")
    suite(pytester, api)
    pytester.runpytest().assert_outcomes(passed=1)
    assert (pytester.path / "cassettes" / "test_paging" / "test_paging.yaml").is_file()


def test_ci_never_records_from_an_ini_record_mode(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makeini("[pytest]\nconvreplay_record_mode = once\n")
    suite(pytester, api)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "convreplay: record mode none (CI is set: the ini's once applies off CI only)*",
            "*cassette cassettes/test_paging/test_paging.yaml does not exist*",
        ]
    )
    assert not (pytester.path / "cassettes").exists()


def test_marker_options_override_the_convreplay_config_fixture(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"cassette": "from-config", "strict": True}
        """
    )
    suite(pytester, api, marker='(cassette="from-marker")', body="assert recording(request).settings.strict")
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / "cassettes" / "test_paging" / "from-marker.yaml").is_file()
    assert not (pytester.path / "cassettes" / "test_paging" / "from-config.yaml").exists()


def test_unknown_option_names_the_option_its_source_and_the_accepted_ones(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    suite(pytester, api, marker="(stritc=True)")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.convreplay on test_paging.py::test_paging: unknown convreplay option 'stritc'"
            " (did you mean 'strict'?); accepted*strict*",
        ]
    )


def test_fixture_handle_reports_path_mode_and_requests(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    suite(
        pytester,
        api,
        body="""assert convreplay.path.name == "test_paging.yaml"
            assert convreplay.mode.value == "once"
            assert [r["method"] for r in convreplay.requests] == ["GET"]""",
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)


@pytest.mark.parametrize(("mode", "keeps_old"), [("new_episodes", True), ("all", False)])
def test_new_episodes_adds_to_the_cassette_and_all_replaces_it(
    pytester: pytest.Pytester, api: ConversationsEmulator, mode: str, keeps_old: bool
) -> None:
    suite(pytester, api)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    test_file = pytester.path / "test_paging.py"
    test_file.write_text(test_file.read_text().replace("limit=3", "limit=4"))
    pytester.runpytest(f"--convreplay-record-mode={mode}").assert_outcomes(passed=1)
    cassette = (pytester.path / "cassettes" / "test_paging" / "test_paging.yaml").read_text()
    assert ("limit=3" in cassette) is keeps_old
    assert "limit=4" in cassette


def test_tests_without_marker_or_fixture_are_not_intercepted(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makepyfile(
        test_plain=f"""
        import httpx

        def test_plain():
            assert httpx.get("{api.base_url}/conversations/x/items").status_code == 401
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    assert not (pytester.path / "cassettes").exists()


def test_every_test_gets_its_own_cassette_even_when_names_only_differ_in_unsafe_characters(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation_id = api.seed_conversation(3)
    pytester.makepyfile(
        test_names=f"""
        import httpx, pytest

        def page():
            headers = {{"authorization": "Bearer {api.api_key}"}}
            return httpx.get("{api.base_url}/conversations/{conversation_id}/items", headers=headers)

        class TestA:
            class TestInner:
                @pytest.mark.convreplay
                def test_it(self):
                    page()

        class TestB:
            class TestInner:
                @pytest.mark.convreplay
                def test_it(self):
                    page()

        @pytest.mark.convreplay
        @pytest.mark.parametrize("model", ["gpt/4", "gpt:4", "gpt_4"])
        def test_model(model):
            page()
        """
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=5)
    names = sorted(path.name for path in (pytester.path / "cassettes" / "test_names").iterdir())
    assert len(names) == 5
    assert "TestA.TestInner.test_it.yaml" in names
    assert "TestB.TestInner.test_it.yaml" in names
    assert "test_model[gpt_4].yaml" in names  # a name that needed no change keeps it exactly
    assert sum(name.startswith("test_model[gpt_4]-") for name in names) == 2


def test_pyproject_lists_and_booleans_work_without_warnings_and_list_options_add_up(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyprojecttoml(
        """
        [tool.pytest.ini_options]
        filterwarnings = ["error"]
        convreplay_masks = ["reasoning.summary", "*.status"]
        convreplay_renumber_ids = true
        convreplay_redact_headers = ["x-project-a", "x-project-b"]
        convreplay_secrets = ["a passphrase, with a comma"]
        convreplay_redact_patterns = ["ticket=TCK-[0-9]{6}"]
        """
    )
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"redact_headers": ["x-folder"]}
        """
    )
    pytester.makepyfile(
        test_settings="""
        import pytest

        from pytest_convreplay.plugin import RECORDING

        @pytest.mark.convreplay(redact_patterns={"order": r"ORD-[0-9]+"}, secrets="one value, spaced")
        def test_settings(request, convreplay):
            s = request.node.stash[RECORDING].settings
            assert [mask.selector for mask in s.masks] == ["reasoning.summary", "*.status"]
            assert s.renumber_ids is True
            assert [rule.name for rule in s.redact_headers] == ["x-project-a", "x-project-b", "x-folder"]
            assert s.secrets == ("a passphrase, with a comma", "one value, spaced")
            assert [rule.label for rule in s.redact_patterns] == ["ticket", "order"]
            labels = [rule.label for rule in s.redaction_rules().patterns]
            assert "ticket" in labels and "order" in labels
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_positional_marker_argument_is_an_error_that_says_what_to_write(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_positional="""
        import pytest

        @pytest.mark.convreplay("history")
        def test_positional():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*takes keyword options only, got ('history',); name a cassette with cassette='name'*"]
    )
