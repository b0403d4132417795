"""A value the plugin cannot use is one error that names the option, where it was written and what
to write instead: never a traceback from pathlib, int() or the end of the session."""

from __future__ import annotations

import os

import pytest
from support.suites import MARKED_TESTS


@pytest.mark.parametrize("option", ["cassette", "snapshot_file"])
@pytest.mark.parametrize("value", ["", " ", ".", "..", "shared/", "shared/.."])
def test_a_file_option_that_names_no_file_is_the_test_s_error(
    pytester: pytest.Pytester, option: str, value: str
) -> None:
    pytester.makepyfile(
        test_x=f"""
        import pytest

        @pytest.mark.convreplay({option}={value!r})
        def test_y(conv_snapshot):
            pass

        def test_other():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)  # the session ends as usual, no internal error
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [f"@pytest.mark.convreplay on test_x.py::test_y: option '{option}': {value!r} *; give a file name *"]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*ValueError*")


def test_a_file_option_from_convreplay_config_names_the_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"snapshot_file": ""}
        """
    )
    pytester.makepyfile(test_x="import pytest\n\n@pytest.mark.convreplay\ndef test_y():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["convreplay_config in conftest.py: option 'snapshot_file': '' is empty; *"])


@pytest.mark.parametrize(("returned", "named"), [("['record_mode']", "a list"), ("None", "None")])
def test_a_convreplay_config_that_returns_no_dict_says_what_it_must_return(
    pytester: pytest.Pytester, returned: str, named: str
) -> None:
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {returned}
        """
    )
    pytester.makepyfile(test_x="import pytest\n\n@pytest.mark.convreplay\ndef test_y():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"convreplay_config in conftest.py returned {named}; it must return a dict of convreplay "
            "options, such as {'record_mode': 'once'} ({} for none)"
        ]
    )
    result.stdout.no_fnmatch_line("*AttributeError*")


def test_a_bad_size_is_a_start_up_error_saying_what_a_size_is(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="import pytest\n\n@pytest.mark.convreplay\ndef test_y():\n    pass\n")
    result = pytester.runpytest("-o", "convreplay_max_cassette_bytes=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if "max_cassette_bytes" in line] == [
        "ERROR: -o convreplay_max_cassette_bytes: expected a size in bytes such as 67108864, '512KiB', "
        "'64MiB' or '1GB', got 'abc'"
    ]


def test_a_size_with_a_unit_is_the_limit_replay_reads_under(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest
        from pytest_convreplay.plugin import RECORDING

        @pytest.mark.convreplay
        def test_y(request, convreplay):
            assert request.node.stash[RECORDING].settings.max_cassette_bytes == 128 * 2**20
        """
    )
    pytester.runpytest("-o", "convreplay_max_cassette_bytes=128MiB").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            "out",
            "--convreplay-report out: it is a folder; name the HTML file to write, such as out/report.html",
        ),
        (
            "test_x.py/report.html",
            "--convreplay-report test_x.py/report.html: cannot write *: test_x.py is not a folder",
        ),
        pytest.param(
            "/proc/report.html",
            "--convreplay-report /proc/report.html: cannot write *: /proc does not take new files (*)",
            marks=pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="Linux's /proc takes no files"),
            id="a-folder-that-takes-no-files",
        ),
    ],
    ids=["a-folder", "under-a-file", "a-folder-that-takes-no-files"],
)
def test_a_report_path_that_cannot_be_written_is_a_start_up_error(
    pytester: pytest.Pytester, given: str, said: str
) -> None:
    (pytester.path / "out").mkdir()
    pytester.makepyfile(test_x="def test_y():\n    pass\n")
    result = pytester.runpytest_subprocess(f"--convreplay-report={given}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {said}"])
    result.stdout.no_fnmatch_line("*passed*")  # said before any test ran
    assert not [path for path in pytester.path.rglob("*") if "convreplay" in path.name]  # nothing left behind


def test_a_report_s_missing_folders_are_made_as_for_junitxml(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_y():\n    pass\n")
    pytester.runpytest_subprocess("--convreplay-report=new/sub/report.html").assert_outcomes(passed=1)
    assert (pytester.path / "new" / "sub" / "report.html").is_file()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("42", "expected conversation items (*), got int"),
        ("[object()]", "item 0: expected a conversation item (a dict or an SDK model), got object"),
        ("[{'type': 'message', 'id': 'm1'}, 'text']", "item 1: expected a conversation item *, got str"),
        (
            "{'id': 'm1'}",
            "expected conversation items, got a dict with neither a 'type' (an item) nor 'data' *",
        ),
        ("{'data': 5}", "expected a list page's 'data' to be a list of items, got int"),
        ("[{'id': 'm1'}]", "item 0 ('m1') has no 'type': *"),
    ],
    ids=["a-number", "an-object", "a-string-among-items", "a-dict-without-type", "a-bad-page", "no-type"],
)
def test_what_is_not_items_is_a_snapshot_error_naming_the_item_and_what_is_taken(
    pytester: pytest.Pytester, given: str, said: str
) -> None:
    pytester.makepyfile(
        test_x=f"""
        import pytest
        from pytest_convreplay import SnapshotError

        @pytest.mark.convreplay
        def test_y(conv_snapshot):
            with pytest.raises(SnapshotError):
                conv_snapshot["turn"].assert_match({given})
            conv_snapshot["turn"].assert_match({given})
        """
    )
    result = pytester.runpytest("--convreplay-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"test_x.py::test_y: snapshot 'turn' not taken: {said}; conv_snapshot.assert_match takes "
            "an openai SDK item or list page, an item dict with a 'type' (as the API returns it), or a list *"
        ]
    )
    result.stdout.no_fnmatch_line("*TypeError*")
    result.stdout.no_fnmatch_line("*asserted twice*")  # a refused snapshot was not taken


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("test_x.py", "'test_x.py' cannot be the cassette folder: it is not a folder"),
        (
            "test_x.py/cassettes",
            "'test_x.py/cassettes' cannot be the cassette folder: test_x.py is not a folder",
        ),
    ],
    ids=["a-file", "under-a-file"],
)
def test_a_cassette_dir_that_cannot_be_a_folder_is_one_start_up_error(
    pytester: pytest.Pytester, given: str, said: str
) -> None:
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest("-o", f"convreplay_cassette_dir={given}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if "cassette_dir" in line] == [
        f"ERROR: -o convreplay_cassette_dir: {said}; name a folder for cassettes, relative to the rootdir "
        "or absolute (default: cassettes)"
    ]


def test_a_cassette_dir_in_the_ini_is_named_by_its_key_and_file(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nconvreplay_cassette_dir = "test_x.py"\n')
    pytester.makepyfile(test_x=MARKED_TESTS)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: [[]tool.pytest.ini_options[]] convreplay_cassette_dir in pyproject.toml: 'test_x.py' *"]
    )


def test_a_misspelt_marker_option_gets_the_name_it_is_closest_to(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.convreplay(snapshto=True)
        def test_close():
            pass

        @pytest.mark.convreplay(zzz=True)
        def test_far():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_close: unknown convreplay option 'snapshto' (did you mean 'snapshot'?); accepted *",
            "*::test_far: unknown convreplay option 'zzz'; accepted *",
        ]
    )


def test_a_misspelt_convreplay_config_key_gets_the_name_it_is_closest_to(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"redact_header": ["x-token"]}
        """
    )
    pytester.makepyfile(test_x="import pytest\n\n@pytest.mark.convreplay\ndef test_y():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "convreplay_config in conftest.py: unknown convreplay option 'redact_header' "
            "(did you mean 'redact_headers'?); accepted *"
        ]
    )
