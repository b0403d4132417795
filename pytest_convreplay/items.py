"""Typed models of the ``ConversationItem`` union, and the front door that turns anything a test
holds (openai SDK objects, page objects, our models, dicts) into plain item dicts.

The models exist for typed access and for noticing schema drift; they never lose data. Every model
keeps unknown fields (``extra="allow"``), an unknown ``type`` becomes an :class:`UnknownItem` (or
:class:`UnknownPart` for nested parts) holding everything it was given, and
``parse_items(d)[0].model_dump(mode="json", exclude_unset=True) == d`` for every item type.
Open enums (``status``, ``role``, ``detail``) are typed ``str`` so a new value the API starts
sending does not make an item unparseable.
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    TypeAdapter,
    ValidationError,
)

Item = dict[str, Any]

UNKNOWN = "__unknown__"


class Model(BaseModel):
    """Base of every model here: keeps unknown fields and speaks the API's field names."""

    model_config = ConfigDict(extra="allow", serialize_by_alias=True, validate_by_name=True)


class UnknownPart(Model):
    """A nested part whose ``type`` this version does not know; kept whole."""

    type: str


class _Family:
    """The members of one union discriminated on ``type``, with the unknown-type fallback.

    ``tag(Model)`` registers the model's ``type`` literal, so each member's tag is written once, on
    the model itself; anything else validates as the family's fallback model.
    """

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.fields: dict[str, frozenset[str]] = {}  # type -> the API's field names of its model

    def tag(self, model: type[BaseModel]) -> Tag:
        (kind,) = typing.get_args(model.model_fields["type"].annotation)
        self.known.add(kind)
        self.fields[kind] = frozenset(info.alias or name for name, info in model.model_fields.items())
        return Tag(kind)

    def discriminator(self) -> Discriminator:
        return Discriminator(self._pick)

    def _pick(self, value: Any) -> str:
        kind = value.get("type") if isinstance(value, Mapping) else getattr(value, "type", None)
        return kind if isinstance(kind, str) and kind in self.known else UNKNOWN


_FALLBACK = Tag(UNKNOWN)

# --- message content parts and their annotations -------------------------------------------------


class FileCitation(Model):
    type: Literal["file_citation"]
    file_id: str
    filename: str
    index: int


class UrlCitation(Model):
    type: Literal["url_citation"]
    start_index: int
    end_index: int
    title: str
    url: str


class ContainerFileCitation(Model):
    type: Literal["container_file_citation"]
    container_id: str
    file_id: str
    filename: str
    start_index: int
    end_index: int


class FilePath(Model):
    type: Literal["file_path"]
    file_id: str
    index: int


_annotations = _Family()
Annotation = Annotated[
    Annotated[FileCitation, _annotations.tag(FileCitation)]
    | Annotated[UrlCitation, _annotations.tag(UrlCitation)]
    | Annotated[ContainerFileCitation, _annotations.tag(ContainerFileCitation)]
    | Annotated[FilePath, _annotations.tag(FilePath)]
    | Annotated[UnknownPart, _FALLBACK],
    _annotations.discriminator(),
]


class TopLogprob(Model):
    token: str
    bytes: list[int]
    logprob: float


class Logprob(TopLogprob):
    top_logprobs: list[TopLogprob]


class InputText(Model):
    type: Literal["input_text"]
    text: str


class OutputText(Model):
    type: Literal["output_text"]
    text: str
    annotations: list[Annotation]
    logprobs: list[Logprob] | None = None


class Text(Model):
    type: Literal["text"]
    text: str


class SummaryText(Model):
    type: Literal["summary_text"]
    text: str


class ReasoningText(Model):
    type: Literal["reasoning_text"]
    text: str


class Refusal(Model):
    type: Literal["refusal"]
    refusal: str


class InputImage(Model):
    type: Literal["input_image"]
    detail: str | None = None
    file_id: str | None = None
    image_url: str | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


class ComputerScreenshot(Model):
    type: Literal["computer_screenshot"]
    detail: str | None = None
    file_id: str | None = None
    image_url: str | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


class InputFile(Model):
    type: Literal["input_file"]
    detail: str | None = None
    file_data: str | None = None
    file_id: str | None = None
    file_url: str | None = None
    filename: str | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


_parts = _Family()
ContentPart = Annotated[
    Annotated[InputText, _parts.tag(InputText)]
    | Annotated[OutputText, _parts.tag(OutputText)]
    | Annotated[Text, _parts.tag(Text)]
    | Annotated[SummaryText, _parts.tag(SummaryText)]
    | Annotated[ReasoningText, _parts.tag(ReasoningText)]
    | Annotated[Refusal, _parts.tag(Refusal)]
    | Annotated[InputImage, _parts.tag(InputImage)]
    | Annotated[ComputerScreenshot, _parts.tag(ComputerScreenshot)]
    | Annotated[InputFile, _parts.tag(InputFile)]
    | Annotated[UnknownPart, _FALLBACK],
    _parts.discriminator(),
]

# A tool's output is a string or a list of input parts (text, image, file).
ToolOutput = str | list[ContentPart]

# --- nested shapes of tool calls ------------------------------------------------------------------


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


_web_actions = _Family()
WebSearchAction = Annotated[
    Annotated[SearchAction, _web_actions.tag(SearchAction)]
    | Annotated[OpenPageAction, _web_actions.tag(OpenPageAction)]
    | Annotated[FindInPageAction, _web_actions.tag(FindInPageAction)]
    | Annotated[UnknownPart, _FALLBACK],
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


_computer_actions = _Family()
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
    | Annotated[UnknownPart, _FALLBACK],
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


_ci_outputs = _Family()
CodeInterpreterOutput = Annotated[
    Annotated[LogsOutput, _ci_outputs.tag(LogsOutput)]
    | Annotated[ImageOutput, _ci_outputs.tag(ImageOutput)]
    | Annotated[UnknownPart, _FALLBACK],
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


_outcomes = _Family()
ShellOutcome = Annotated[
    Annotated[TimeoutOutcome, _outcomes.tag(TimeoutOutcome)]
    | Annotated[ExitOutcome, _outcomes.tag(ExitOutcome)]
    | Annotated[UnknownPart, _FALLBACK],
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


_operations = _Family()
PatchOperation = Annotated[
    Annotated[CreateFile, _operations.tag(CreateFile)]
    | Annotated[DeleteFile, _operations.tag(DeleteFile)]
    | Annotated[UpdateFile, _operations.tag(UpdateFile)]
    | Annotated[UnknownPart, _FALLBACK],
    _operations.discriminator(),
]


class McpTool(Model):
    name: str
    input_schema: Any
    annotations: Any = None
    description: str | None = None


# --- the items ------------------------------------------------------------------------------------


class ItemBase(Model):
    """Fields every item may carry. ``id`` is optional only on custom tool calls and outputs."""

    id: str
    type: str


class Called(Model):
    """Fields of the newer tool items: who called them and who created them."""

    caller: dict[str, Any] | None = None
    created_by: str | None = None


class Message(ItemBase):
    type: Literal["message"]
    role: str
    status: str
    content: list[ContentPart]
    phase: str | None = None


class FunctionCall(ItemBase, Called):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    status: str
    namespace: str | None = None
    async_: bool | None = Field(default=None, alias="async")


class FunctionCallOutput(ItemBase, Called):
    type: Literal["function_call_output"]
    output: ToolOutput
    status: str
    call_id: str | None = None
    name: str | None = None
    namespace: str | None = None


class FileSearchCall(ItemBase):
    type: Literal["file_search_call"]
    queries: list[str]
    status: str
    results: list[FileSearchResult] | None = None


class WebSearchCall(ItemBase):
    type: Literal["web_search_call"]
    action: WebSearchAction
    status: str


class ImageGenerationCall(ItemBase):
    type: Literal["image_generation_call"]
    status: str
    result: str | None = None
    action: str | None = None
    background: str | None = None
    error: dict[str, Any] | None = None
    output_format: str | None = None
    quality: str | None = None
    revised_prompt: str | None = None
    size: str | None = None
    svg_usage: dict[str, Any] | None = None


class ComputerCall(ItemBase):
    type: Literal["computer_call"]
    call_id: str
    status: str
    pending_safety_checks: list[SafetyCheck]
    action: ComputerAction | None = None
    actions: list[ComputerAction] | None = None


class ComputerCallOutput(ItemBase):
    type: Literal["computer_call_output"]
    call_id: str
    status: str
    output: ComputerScreenshot
    acknowledged_safety_checks: list[SafetyCheck] | None = None
    created_by: str | None = None


class ToolSearchCall(ItemBase):
    type: Literal["tool_search_call"]
    arguments: Any
    execution: str
    status: str
    call_id: str | None = None
    created_by: str | None = None


class ToolSearchOutput(ItemBase):
    type: Literal["tool_search_output"]
    execution: str
    status: str
    tools: list[dict[str, Any]]
    call_id: str | None = None
    created_by: str | None = None


class AdditionalTools(ItemBase):
    type: Literal["additional_tools"]
    role: str
    tools: list[dict[str, Any]]


class ConfigurationUpdate(ItemBase):
    type: Literal["configuration_update"]
    reasoning: dict[str, Any] | None = None
    text: dict[str, Any] | None = None


class Reasoning(ItemBase):
    type: Literal["reasoning"]
    summary: list[SummaryText]
    content: list[ReasoningText] | None = None
    encrypted_content: str | None = None
    status: str | None = None


class Program(ItemBase):
    type: Literal["program"]
    call_id: str
    code: str
    fingerprint: str


class ProgramOutput(ItemBase):
    type: Literal["program_output"]
    call_id: str
    result: str
    status: str


class Compaction(ItemBase):
    type: Literal["compaction"]
    encrypted_content: str
    created_by: str | None = None


class CodeInterpreterCall(ItemBase):
    type: Literal["code_interpreter_call"]
    container_id: str
    status: str
    code: str | None = None
    outputs: list[CodeInterpreterOutput] | None = None


class LocalShellCall(ItemBase):
    type: Literal["local_shell_call"]
    call_id: str
    action: LocalShellAction
    status: str


class LocalShellCallOutput(ItemBase):
    type: Literal["local_shell_call_output"]
    output: str
    status: str | None = None
    call_id: str | None = None  # required by the spec's `required` list, though not in its properties


class ShellCall(ItemBase, Called):
    type: Literal["shell_call"]
    call_id: str
    action: ShellAction
    status: str
    environment: dict[str, Any] | None = None


class ShellCallOutput(ItemBase, Called):
    type: Literal["shell_call_output"]
    call_id: str
    output: list[ShellOutput]
    status: str
    max_output_length: int | None = None


class ApplyPatchCall(ItemBase, Called):
    type: Literal["apply_patch_call"]
    call_id: str
    operation: PatchOperation
    status: str


class ApplyPatchCallOutput(ItemBase, Called):
    type: Literal["apply_patch_call_output"]
    call_id: str
    status: str
    output: str | None = None


class McpListTools(ItemBase):
    type: Literal["mcp_list_tools"]
    server_label: str
    tools: list[McpTool]
    error: str | None = None


class McpApprovalRequest(ItemBase):
    type: Literal["mcp_approval_request"]
    name: str
    arguments: str
    server_label: str


class McpApprovalResponse(ItemBase):
    type: Literal["mcp_approval_response"]
    approval_request_id: str
    approve: bool
    reason: str | None = None
    request_id: str | None = None  # required by the spec's `required` list, though not in its properties


class McpCall(ItemBase):
    type: Literal["mcp_call"]
    name: str
    arguments: str
    server_label: str
    approval_request_id: str | None = None
    error: dict[str, Any] | str | None = None
    output: str | None = None
    status: str | None = None


class CustomToolCall(ItemBase):
    type: Literal["custom_tool_call"]
    id: str | None = None  # type: ignore[assignment]  # the only item whose id is optional
    call_id: str
    name: str
    input: str
    namespace: str | None = None
    caller: dict[str, Any] | None = None
    async_: bool | None = Field(default=None, alias="async")


class CustomToolCallOutput(ItemBase):
    type: Literal["custom_tool_call_output"]
    id: str | None = None  # type: ignore[assignment]
    call_id: str
    output: ToolOutput
    caller: dict[str, Any] | None = None


class UnknownItem(Model):
    """An item whose ``type`` is unknown, or that no longer fits its model; kept whole."""

    type: str
    id: str | None = None
    _problem: str | None = PrivateAttr(default=None)

    @property
    def problem(self) -> str | None:
        """Why a known type fell back to this model (``None`` when the type itself is unknown)."""
        return self._problem


_items = _Family()
ConversationItem = Annotated[
    Annotated[Message, _items.tag(Message)]
    | Annotated[FunctionCall, _items.tag(FunctionCall)]
    | Annotated[FunctionCallOutput, _items.tag(FunctionCallOutput)]
    | Annotated[FileSearchCall, _items.tag(FileSearchCall)]
    | Annotated[WebSearchCall, _items.tag(WebSearchCall)]
    | Annotated[ImageGenerationCall, _items.tag(ImageGenerationCall)]
    | Annotated[ComputerCall, _items.tag(ComputerCall)]
    | Annotated[ComputerCallOutput, _items.tag(ComputerCallOutput)]
    | Annotated[ToolSearchCall, _items.tag(ToolSearchCall)]
    | Annotated[ToolSearchOutput, _items.tag(ToolSearchOutput)]
    | Annotated[AdditionalTools, _items.tag(AdditionalTools)]
    | Annotated[ConfigurationUpdate, _items.tag(ConfigurationUpdate)]
    | Annotated[Reasoning, _items.tag(Reasoning)]
    | Annotated[Program, _items.tag(Program)]
    | Annotated[ProgramOutput, _items.tag(ProgramOutput)]
    | Annotated[Compaction, _items.tag(Compaction)]
    | Annotated[CodeInterpreterCall, _items.tag(CodeInterpreterCall)]
    | Annotated[LocalShellCall, _items.tag(LocalShellCall)]
    | Annotated[LocalShellCallOutput, _items.tag(LocalShellCallOutput)]
    | Annotated[ShellCall, _items.tag(ShellCall)]
    | Annotated[ShellCallOutput, _items.tag(ShellCallOutput)]
    | Annotated[ApplyPatchCall, _items.tag(ApplyPatchCall)]
    | Annotated[ApplyPatchCallOutput, _items.tag(ApplyPatchCallOutput)]
    | Annotated[McpListTools, _items.tag(McpListTools)]
    | Annotated[McpApprovalRequest, _items.tag(McpApprovalRequest)]
    | Annotated[McpApprovalResponse, _items.tag(McpApprovalResponse)]
    | Annotated[McpCall, _items.tag(McpCall)]
    | Annotated[CustomToolCall, _items.tag(CustomToolCall)]
    | Annotated[CustomToolCallOutput, _items.tag(CustomToolCallOutput)]
    | Annotated[UnknownItem, _FALLBACK],
    _items.discriminator(),
]

KNOWN_ITEM_TYPES: frozenset[str] = frozenset(_items.known)

_ADAPTER: TypeAdapter[ConversationItem] = TypeAdapter(ConversationItem)

# --- turning what a test holds into item dicts -----------------------------------------------------


def _dump(obj: Any) -> Item:
    """One item as the API's JSON: SDK models via ``to_dict`` (API field names), ours via dump."""
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        dumped = to_dict(mode="json", exclude_unset=True)
    elif isinstance(obj, BaseModel):
        dumped = obj.model_dump(mode="json", exclude_unset=True, by_alias=True)
    else:
        raise TypeError(f"expected a conversation item (dict or pydantic model), got {type(obj).__name__}")
    if not isinstance(dumped, dict):
        raise TypeError(f"{type(obj).__name__} did not dump to a dict")
    return dumped


def _is_single_item(obj: Any) -> bool:
    """Items carry a string ``type``; list pages and iterables of items do not."""
    kind = obj.get("type") if isinstance(obj, Mapping) else getattr(obj, "type", None)
    return isinstance(kind, str)


def to_item_dicts(obj: Any) -> list[Item]:
    """Plain item dicts from a list page (SDK object or its JSON), an iterable of items, or one item.

    Dicts are passed through without copying; models are dumped as the API would send them, so
    ``async`` stays ``async`` and unset optional fields stay absent. Only the page's own ``data`` is
    taken: iterating an SDK page would fetch further pages over the network.
    """
    if _is_single_item(obj):
        return [_dump(obj)]
    data = obj.get("data") if isinstance(obj, Mapping) else getattr(obj, "data", None)
    if data is not None:
        return [_dump(item) for item in data]
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [_dump(item) for item in obj]
    expected = "a list page, an iterable of items or one item"
    raise TypeError(f"expected conversation items ({expected}), got {type(obj).__name__}")


def parse_item(item: Mapping[str, Any]) -> ConversationItem:
    """The typed model of one item; an item that no longer fits its model is kept as UnknownItem."""
    try:
        return _ADAPTER.validate_python(item)
    except ValidationError as error:
        fallback = UnknownItem.model_validate(item)
        errors = error.errors()
        where = ".".join(str(part) for part in errors[0]["loc"] if part not in _items.known)
        more = f", +{len(errors) - 1} more" if len(errors) > 1 else ""
        fallback._problem = f"{where or 'item'}: {errors[0]['msg']}{more}"
        return fallback


def item_fields(item_type: str) -> frozenset[str] | None:
    """The fields the models know for an item type, or None for a type they do not know."""
    return _items.fields.get(item_type)


def parse_items(items: Any, *, warn: bool = True) -> list[ConversationItem]:
    """Typed models of ``items`` (anything :func:`to_item_dicts` accepts), warning once per drift.

    Raises TypeError naming the first item without a ``type``: that tag is what makes an item a
    conversation item, and no model (not even the unknown-type one) can keep one without it."""
    dicts = to_item_dicts(items)
    for index, item in enumerate(dicts):
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            shown = f"{item.get('id')!r}" if isinstance(item, Mapping) and item.get("id") else "without an id"
            raise TypeError(
                f"item {index} ({shown}) has no 'type': conversation items are tagged by type "
                "(message, function_call, …); pass items as the API returns them"
            )
    parsed = [parse_item(item) for item in dicts]
    if warn:
        warn_schema_drift(parsed)
    return parsed


# --- schema drift ---------------------------------------------------------------------------------


class SchemaDriftWarning(UserWarning):
    """The API sent an item type or field this version does not model; the data was kept."""


@dataclass(frozen=True, slots=True)
class Drift:
    """One thing the models did not know: an item or part type, a field, or a misfit."""

    item_type: str
    item_id: str | None
    path: str
    problem: str

    @property
    def kind(self) -> tuple[str, str]:
        """What is deduplicated on: the item type and the field path without list indices."""
        return self.item_type, _strip_indices(self.path)

    def __str__(self) -> str:
        where = f"{self.item_type}.{self.path}" if self.path else self.item_type
        return f"{where}: {self.problem} (item {self.item_id or '<no id>'}); kept as is"


def _strip_indices(path: str) -> str:
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[*]")
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _extras(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, problem) for every unknown field or part type below ``value``."""
    if isinstance(value, UnknownPart):
        yield path, f"unknown part type {value.type!r}"
        return
    if isinstance(value, BaseModel):
        for name in value.model_extra or {}:
            yield (f"{path}.{name}" if path else name), "unknown field"
        for name in value.model_fields_set:
            if name in type(value).model_fields:
                yield from _extras(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield from _extras(element, f"{path}[{index}]")


def drift_of(item: ConversationItem) -> list[Drift]:
    """What the models did not know about one parsed item."""
    kind, item_id = item.type, item.id
    if isinstance(item, UnknownItem):
        problem = item.problem or "unknown item type"
        return [Drift(kind, item_id, "", f"does not fit its model ({problem})" if item.problem else problem)]
    return [Drift(kind, item_id, path, problem) for path, problem in _extras(item, "")]


def schema_drift(items: Iterable[ConversationItem]) -> list[str]:
    """One readable line per unknown type or field, naming the item id."""
    return [str(drift) for item in items for drift in drift_of(item)]


class _DriftWarner:
    """Warns once per process for each (item type, field) so a long suite is not flooded."""

    warned: ClassVar[set[tuple[str, str]]] = set()

    @classmethod
    def warn(cls, items: Iterable[ConversationItem]) -> None:
        for item in items:
            for drift in drift_of(item):
                if drift.kind not in cls.warned:
                    cls.warned.add(drift.kind)
                    warnings.warn(SchemaDriftWarning(f"schema drift: {drift}"), stacklevel=4)


def warn_schema_drift(items: Iterable[ConversationItem]) -> None:
    """Emit a :class:`SchemaDriftWarning` for drift not yet reported in this process."""
    _DriftWarner.warn(items)
