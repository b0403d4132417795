"""The catalogue of conversation item types: every type the plugin models, and its id prefix.

One table, read by the item models (each model of the union must be listed here, checked when
they are built), by masks (a selector's first step is an item type when it names one) and by the
emulator (the ids it issues). It imports nothing, so reading it costs nothing.
"""

from __future__ import annotations

from typing import Final

# Item type -> id prefix as the real API spells them (msg_…, fc_…, rs_…); None where the API has
# no id of its own for the type.
ITEM_TYPES: dict[str, str | None] = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "file_search_call": "fs",
    "web_search_call": "ws",
    "image_generation_call": "ig",
    "computer_call": "cu",
    "computer_call_output": "cuo",
    "tool_search_call": "tsc",
    "tool_search_output": "tso",
    "additional_tools": "at",
    "reasoning": "rs",
    "program": "prg",
    "program_output": "prgo",
    "compaction": "cmp",
    "code_interpreter_call": "ci",
    "local_shell_call": "lsh",
    "local_shell_call_output": "lsho",
    "shell_call": "sh",
    "shell_call_output": "sho",
    "apply_patch_call": "apc",
    "apply_patch_call_output": "apco",
    "mcp_list_tools": "mcpl",
    "mcp_approval_request": "mcpr",
    "mcp_approval_response": "mcpa",
    "mcp_call": "mcp",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "configuration_update": None,
}

ID_PREFIXES: Final[dict[str, str]] = {kind: prefix for kind, prefix in ITEM_TYPES.items() if prefix}
