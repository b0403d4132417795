"""Every option is validated once, where it arrives, and a bad value names where it was written."""

from __future__ import annotations

import pytest
from support.suites import MARKED_TESTS


def test_a_bad_command_line_ini_override_is_one_start_up_error_naming_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest("-o", "convreplay_record_mode=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if "convreplay_record_mode" in line]
    assert errors == [
        "ERROR: -o convreplay_record_mode: expected one of none, once, new_episodes, all, got 'sometimes'"
    ]


def test_a_bad_block_network_value_is_one_start_up_error_naming_it(pytester: pytest.Pytester) -> None:
    """A test that never uses the plugin reads the option too, so it is checked before any test runs."""
    pytester.makepyfile(test_x="def test_plain():\n    pass\n")
    result = pytester.runpytest("-o", "convreplay_block_network=maybe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if "convreplay_block_network" in line] == [
        "ERROR: -o convreplay_block_network: invalid truth value 'maybe'"
    ]


@pytest.mark.parametrize(
    ("file", "content", "named"),
    [
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\nconvreplay_masks = ["message..text"]\n',
            "[tool.pytest.ini_options] convreplay_masks in pyproject.toml: mask 'message..text'",
        ),
        (
            "pytest.ini",
            "[pytest]\nconvreplay_redact_headers = bad header\n",
            "[pytest] convreplay_redact_headers in pytest.ini: header rule 'bad header'",
        ),
        (
            "tox.ini",
            "[pytest]\nconvreplay_max_age = soon\n",
            "[pytest] convreplay_max_age in tox.ini: expected a duration",
        ),
        (
            "setup.cfg",
            "[tool:pytest]\nconvreplay_strict = perhaps\n",
            "[tool:pytest] convreplay_strict in setup.cfg: ",
        ),
    ],
)
def test_a_bad_value_in_the_project_s_configuration_names_its_key_and_file(
    pytester: pytest.Pytester, file: str, content: str, named: str
) -> None:
    (pytester.path / file).write_text(content)
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(line.startswith(f"ERROR: {named}") for line in result.stderr.lines), result.stderr.str()


@pytest.mark.skipif(pytest.version_tuple < (9,), reason="pytest 9 reads a native [tool.pytest] table")
def test_pytest_9_s_native_table_is_named_as_such(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest]\nconvreplay_renumber_ids = "maybe"\n')
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: [[]tool.pytest[]] convreplay_renumber_ids in pyproject.toml: *"])


def test_a_bad_fixture_value_names_the_conftest_that_defines_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"masks": ["message.content]"]}
        """
    )
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*convreplay_config in conftest.py: option 'masks': mask 'message.content]'*"]
    )


def test_a_bad_marker_value_names_the_test_it_is_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.convreplay(redact_headers="bad header")
        def test_y():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.convreplay on test_x.py::test_y: option 'redact_headers': "
            "header rule 'bad header': not a valid HTTP header name*"
        ]
    )


def test_a_string_is_one_list_entry_never_split(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest
        from pytest_convreplay.plugin import RECORDING

        @pytest.mark.convreplay(secrets="one passphrase, with a comma", secret_env="MY_TOKEN")
        def test_y(request, convreplay):
            settings = request.node.stash[RECORDING].settings
            assert settings.secrets == ("one passphrase, with a comma",)
            assert settings.secret_env == ("MY_TOKEN",)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_config_error_carries_its_option_and_source() -> None:
    from pytest_convreplay import ConfigError
    from pytest_convreplay.config import Source, convert_options

    with pytest.raises(ConfigError) as caught:
        convert_options({"repeat": "twice"}, Source("@pytest.mark.convreplay on t.py::test_x"))
    assert caught.value.option == "repeat"
    assert caught.value.source == "@pytest.mark.convreplay on t.py::test_x: option 'repeat'"
