"""The ``ConversationItem`` union: one model per item type, and the catalogue of item types.

Each member is tagged once, on the model; the union must list exactly the types of
:mod:`~pytest_convreplay.model.catalogue`, which is checked when this module is imported.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, TypeAdapter

from ..catalogue import ITEM_TYPES
from .base import FALLBACK, Family, Model
from .parts import ComputerScreenshot, ContentPart, ReasoningText, SummaryText, ToolOutput
from .tools import (
    CodeInterpreterOutput,
    ComputerAction,
    FileSearchResult,
    LocalShellAction,
    McpTool,
    PatchOperation,
    SafetyCheck,
    ShellAction,
    ShellOutput,
    WebSearchAction,
)


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


_items = Family()
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
    | Annotated[UnknownItem, FALLBACK],
    _items.discriminator(),
]

KNOWN_ITEM_TYPES: frozenset[str] = _items.known
ITEM_FIELDS: dict[str, frozenset[str]] = _items.fields
ITEM_MODELS = _items.models
if frozenset(ITEM_TYPES) != KNOWN_ITEM_TYPES:  # pragma: no cover - a model added without its entry
    raise ImportError(
        f"item models and model.catalogue disagree: {sorted(KNOWN_ITEM_TYPES ^ set(ITEM_TYPES))}"
    )

ITEM_ADAPTER: TypeAdapter[ConversationItem] = TypeAdapter(ConversationItem)
