"""The package's shape: one layer order, no import cycles, small modules, an exact public surface,
and a plugin that costs nothing for suites that never use it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

import pytest_convreplay

PACKAGE = Path(pytest_convreplay.__file__).parent
ROOT = PACKAGE.parent


def test_every_stage_imports_only_from_itself_and_the_stages_below_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The layer order is declared once, in pyproject.toml's import-linter contract."""
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("pytest_convreplay", include_external_packages=False, cache_dir=None)
    cycles = [
        (module, imported)
        for module in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if imported != module
        and graph.chain_exists(importer=imported, imported=module)
        # a package's __init__ re-exporting its own modules is not a cycle between jobs
        and not (module == imported.rpartition(".")[0] or imported == module.rpartition(".")[0])
    ]
    assert cycles == []


def test_no_module_is_over_about_400_lines() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {path: lines for path, lines in sizes.items() if lines > 420} == {}


def test_the_package_exports_exactly_its_public_surface() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    lazy = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_WHERE" for t in node.targets)
    )
    assert isinstance(lazy, ast.Dict)
    names = sorted(key.value for key in lazy.keys if isinstance(key, ast.Constant))
    assert sorted(pytest_convreplay.__all__) == names  # every public name loads lazily, none twice
    assert len(set(names)) == len(pytest_convreplay.__all__)
    assert names == [
        "CassetteError",
        "CassetteExpiredWarning",
        "CassetteHandle",
        "ConfigError",
        "ConversationsEmulator",
        "ConvreplayError",
        "ConvreplayWarning",
        "DEFAULT_MASKS",
        "EmulatorApiError",
        "FileLockTimeout",
        "ItemDiff",
        "Mask",
        "MaskWarning",
        "NetworkBlockedError",
        "PaginationError",
        "PaginationWarning",
        "RecordMode",
        "RedactionRules",
        "RequestRefused",
        "SchemaDriftWarning",
        "SecretLeakError",
        "Selector",
        "Settings",
        "SnapshotAssertion",
        "SnapshotError",
        "SnapshotMismatch",
        "UndecodableBodyError",
        "UnmatchedRequestError",
        "diff_items",
        "parse_items",
        "render",
        "to_item_dicts",
    ]
    for name in names:  # each loads, and errors and warnings say where users import them from
        value = getattr(pytest_convreplay, name)
        if isinstance(value, type) and issubclass(value, Exception | Warning):
            assert value.__module__ == "pytest_convreplay"


def test_every_error_and_warning_derives_from_the_plugin_s_bases() -> None:
    from pytest_convreplay import errors

    for name in errors.__all__:
        kind = getattr(errors, name)
        if kind is errors.RequestRefused:  # pytest's failure outcome, carrying a ConvreplayError
            assert issubclass(kind, pytest.fail.Exception)
            continue
        assert issubclass(kind, errors.ConvreplayError | errors.ConvreplayWarning), name


def test_a_run_that_never_uses_the_plugin_imports_neither_vcrpy_nor_the_emulator_nor_the_models(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_plain():
            pass

        def test_nothing_heavy_was_imported():
            heavy = ["vcr", "pytest_convreplay.emulator", "pytest_convreplay.model.items", "pydantic", "yaml"]
            assert [name for name in heavy if name in sys.modules] == []
        """
    )
    plugins = ("-p", "no:cacheprovider", "-p", "no:anyio", "-p", "no:hypothesispytest")
    result = pytester.runpytest_subprocess(*plugins)
    result.assert_outcomes(passed=2)


def test_importing_the_plugin_loads_only_the_light_stages() -> None:
    code = (
        "import sys, pytest_convreplay.plugin as p;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('pytest_convreplay'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    stages = {name.split(".")[1] for name in loaded.strip().split(",") if name.count(".") >= 1}
    assert stages <= {"config", "errors", "model", "plugin", "rules", "snapshot"}


def test_the_fixture_handle_is_small_read_only_and_documented() -> None:
    from pytest_convreplay import CassetteHandle

    public = sorted(name for name in dir(CassetteHandle) if not name.startswith("_"))
    assert public == ["conversations", "interactions", "mode", "path", "records", "requests"]
    for name in public:
        attribute = getattr(CassetteHandle, name)
        assert isinstance(attribute, property), name
        assert attribute.fset is None, name
        assert attribute.__doc__, name


def _names(node: ast.AST) -> set[str]:
    return {
        name
        for inner in ast.walk(node)
        if (name := getattr(inner, "attr", None) or getattr(inner, "id", None))
    }


def test_no_test_asserts_on_wall_clock_time() -> None:
    """On 2 shared cores a wall-clock limit fails under load; speed claims are measured in bench/,
    as ratios side by side. A clock may time a server's start-up or a figure that is printed, never
    an assertion."""
    clocks = {
        "perf_counter",
        "perf_counter_ns",
        "monotonic",
        "monotonic_ns",
        "process_time",
        "timeit",
        "time",
    }
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text())
        timed = {"seconds", "elapsed", "duration"} | {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and _names(node.value) & clocks
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Assert) and _names(node.test) & (clocks | timed)
        ]
    assert found == []


def test_the_readme_gives_pytest_n_auto_as_the_fast_way_and_pytest_as_ci_s_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pytest -n auto" in readme
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "pytest" in ci  # the README's test command, run as it is written there
    assert "&& pytest\n```" in readme


def test_errors_carry_their_context_as_attributes(tmp_path: Path) -> None:
    from pytest_convreplay.errors import CassetteError, SnapshotError
    from pytest_convreplay.storage.cassette import load_cassette
    from pytest_convreplay.storage.snapshots import read_snapshots

    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 2\ninteractions: []\n")
    with pytest.raises(CassetteError) as cassette:
        load_cassette(broken)
    assert cassette.value.path == broken
    bad = tmp_path / "bad.snapshot.yaml"
    bad.write_text("version: 1\nsnapshots: [1]\n")
    with pytest.raises(SnapshotError) as snapshot:
        read_snapshots(bad)
    assert snapshot.value.path == bad
