"""The HTML report: one self-contained file, rendered with Jinja2, written through the egress gate.

Everything is inline (styles, script, no fonts or images to fetch) and a Content-Security-Policy
allows only the page's own style and script by hash and no connection at all, so the report opens
from a CI artifact with no network and text from the API can neither run nor call out. Jinja2 is
the optional ``report`` extra: only this feature needs it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..gate import Gate
from ..rules.masks import MASKED
from ..storage.write import Rendered, write_document
from .model import Comparison
from .view import SIGNS, ValueView, report_view

if TYPE_CHECKING:
    import jinja2

INSTALL_HINT = "the HTML report needs Jinja2: pip install 'pytest-convreplay[report]'"


def report_available() -> bool:
    """Whether the report can be rendered here (Jinja2 is installed)."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _environment() -> jinja2.Environment:
    try:
        import jinja2
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pytest_convreplay.report", "templates"),
        autoescape=True,  # item text comes from the API: everything printed is escaped
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(value=_value_html, masked_marks=_masked_marks, signs=SIGNS)
    return environment


def _asset(name: str) -> str:
    return resources.files("pytest_convreplay.report").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def _masked_marks(text: str) -> Any:
    """Escaped text with each ``"<masked>"`` value marked."""
    from markupsafe import escape

    needle = str(escape(f'"{MASKED}"'))
    return _markup(str(escape(text)).replace(needle, f'<span class="masked-value">{needle}</span>'))


def _value_html(value: ValueView) -> Any:
    """One old or new value: short ones inline, long ones collapsed behind their first line."""
    from markupsafe import escape

    tag = '<span class="json-tag">JSON</span>' if value.parsed_json else ""
    if value.masked:
        return _markup(f'<span class="masked-value">{escape(value.text)}</span>')
    if not value.long:
        return _markup(tag + str(_masked_marks(value.text)))
    return _markup(
        f'<details class="value"><summary>{tag}<code>{escape(value.preview)}</code> … '
        f"({len(value.text)} characters)</summary><pre>{_masked_marks(value.text)}</pre></details>"
    )


def render_report(
    comparisons: Iterable[Comparison],
    *,
    title: str,
    source: str,
    sides: tuple[str, str] = ("committed", "new"),
) -> Rendered:
    """The report's text, and the data it shows (what the gate judges beside the text); ``sides``
    names the old and the new side in the field tables."""
    listed = list(comparisons)
    style, script = _asset("report.css"), _asset("report.js")
    text = (
        _environment()
        .get_template("report.html.j2")
        .render(
            view=report_view(listed, title=title, source=source, sides=sides),
            style=_markup(style),  # the package's own files, inserted as they are (their hashes allow them)
            script=_markup(script),
            style_hash=_csp_hash(style),
            script_hash=_csp_hash(script),
        )
    )
    return Rendered([comparison.to_data() for comparison in listed], text)


def write_report(
    path: Path,
    comparisons: Iterable[Comparison],
    gate: Gate,
    *,
    title: str,
    source: str,
    sides: tuple[str, str] = ("committed", "new"),
) -> None:
    """Render and write the report: serialize → gate → atomic write, like every other file."""
    write_document(
        path,
        render_report(comparisons, title=title, source=source, sides=sides),
        gate,
        hint="The report shows the items as compared: mask the field holding it with the masks option.",
    )
