"""Nested shapes of tool calls: search and computer actions, shell and interpreter outputs, patches."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from .base import FALLBACK, Family, Model, UnknownPart


class FileSearchResult(Model):
    attributes: dict[str, str | float | bool] | None = None
    file_id: str | None = None
    filename: str | None = None
    score: float | None = None
    text: str | None = None


class SearchAction(Model):
    type: Literal["search"]
    queries: list[str] | None = None
    query: str | None = None
    sources: list[dict[str, Any]] | None = None


class OpenPageAction(Model):
    type: Literal["open_page"]
    url: str | None = None


class FindInPageAction(Model):
    type: Literal["find_in_page"]
    pattern: str
    url: str


_web_actions = Family()
WebSearchAction = Annotated[
    Annotated[SearchAction, _web_actions.tag(SearchAction)]
    | Annotated[OpenPageAction, _web_actions.tag(OpenPageAction)]
    | Annotated[FindInPageAction, _web_actions.tag(FindInPageAction)]
    | Annotated[UnknownPart, FALLBACK],
    _web_actions.discriminator(),
]


class Point(Model):
    x: int
    y: int


class ClickAction(Model):
    type: Literal["click"]
    button: str
    x: int
    y: int
    keys: list[str] | None = None


class DoubleClickAction(Model):
    type: Literal["double_click"]
    x: int
    y: int
    keys: list[str] | None = None


class DragAction(Model):
    type: Literal["drag"]
    path: list[Point]
    keys: list[str] | None = None


class KeypressAction(Model):
    type: Literal["keypress"]
    keys: list[str]


class MoveAction(Model):
    type: Literal["move"]
    x: int
    y: int
    keys: list[str] | None = None


class ScreenshotAction(Model):
    type: Literal["screenshot"]


class ScrollAction(Model):
    type: Literal["scroll"]
    scroll_x: int
    scroll_y: int
    x: int
    y: int
    keys: list[str] | None = None


class TypeAction(Model):
    type: Literal["type"]
    text: str


class WaitAction(Model):
    type: Literal["wait"]


_computer_actions = Family()
ComputerAction = Annotated[
    Annotated[ClickAction, _computer_actions.tag(ClickAction)]
    | Annotated[DoubleClickAction, _computer_actions.tag(DoubleClickAction)]
    | Annotated[DragAction, _computer_actions.tag(DragAction)]
    | Annotated[KeypressAction, _computer_actions.tag(KeypressAction)]
    | Annotated[MoveAction, _computer_actions.tag(MoveAction)]
    | Annotated[ScreenshotAction, _computer_actions.tag(ScreenshotAction)]
    | Annotated[ScrollAction, _computer_actions.tag(ScrollAction)]
    | Annotated[TypeAction, _computer_actions.tag(TypeAction)]
    | Annotated[WaitAction, _computer_actions.tag(WaitAction)]
    | Annotated[UnknownPart, FALLBACK],
    _computer_actions.discriminator(),
]


class SafetyCheck(Model):
    id: str
    code: str | None = None
    message: str | None = None


class LogsOutput(Model):
    type: Literal["logs"]
    logs: str


class ImageOutput(Model):
    type: Literal["image"]
    url: str


_ci_outputs = Family()
CodeInterpreterOutput = Annotated[
    Annotated[LogsOutput, _ci_outputs.tag(LogsOutput)]
    | Annotated[ImageOutput, _ci_outputs.tag(ImageOutput)]
    | Annotated[UnknownPart, FALLBACK],
    _ci_outputs.discriminator(),
]


class LocalShellAction(Model):
    type: Literal["exec"]
    command: list[str]
    env: dict[str, str]
    timeout_ms: int | None = None
    user: str | None = None
    working_directory: str | None = None


class ShellAction(Model):
    commands: list[str]
    max_output_length: int | None = None
    timeout_ms: int | None = None


class TimeoutOutcome(Model):
    type: Literal["timeout"]


class ExitOutcome(Model):
    type: Literal["exit"]
    exit_code: int


_outcomes = Family()
ShellOutcome = Annotated[
    Annotated[TimeoutOutcome, _outcomes.tag(TimeoutOutcome)]
    | Annotated[ExitOutcome, _outcomes.tag(ExitOutcome)]
    | Annotated[UnknownPart, FALLBACK],
    _outcomes.discriminator(),
]


class ShellOutput(Model):
    outcome: ShellOutcome
    stderr: str
    stdout: str
    created_by: str | None = None


class CreateFile(Model):
    type: Literal["create_file"]
    path: str
    diff: str


class DeleteFile(Model):
    type: Literal["delete_file"]
    path: str


class UpdateFile(Model):
    type: Literal["update_file"]
    path: str
    diff: str


_operations = Family()
PatchOperation = Annotated[
    Annotated[CreateFile, _operations.tag(CreateFile)]
    | Annotated[DeleteFile, _operations.tag(DeleteFile)]
    | Annotated[UpdateFile, _operations.tag(UpdateFile)]
    | Annotated[UnknownPart, FALLBACK],
    _operations.discriminator(),
]


class McpTool(Model):
    name: str
    input_schema: Any
    annotations: Any = None
    description: str | None = None
