"""Seed data for the emulator: one realistic instance of every ConversationItem type in the spec.

Kept apart from the server so the HTTP code stays readable. Every item holds all of its optional
fields (the "include superset"); ``listing.apply_include`` removes what a request did not ask for.
Ids come from the caller's generator, so a seeded conversation is the same in every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Item = dict[str, Any]
NewId = Callable[[str], str]


# Types whose stored form always carries a status; input items may omit it.
STATUS_REQUIRED = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "computer_call_output",
        "local_shell_call",
        "shell_call",
        "shell_call_output",
        "apply_patch_call",
        "apply_patch_call_output",
    }
)

# A 1x1 transparent PNG: small, but a real image for clients that decode it.
_PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
_WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}


def _function_tool(name: str) -> Item:
    return {"type": "function", "name": name, "parameters": _WEATHER_SCHEMA, "strict": True}


def text_message(item_id: str, role: str, text: str) -> Item:
    """The cheapest valid message (bulk seeding); assistant text is output_text, as the API stores it."""
    part: Item = (
        {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        if role == "assistant"
        else {"type": "input_text", "text": text}
    )
    return {"type": "message", "id": item_id, "status": "completed", "role": role, "content": [part]}


def _messages(new_id: NewId) -> list[Item]:
    logprob = {"token": "Paris", "logprob": -0.01, "bytes": list(b"Paris")}
    output_text = {
        "type": "output_text",
        "text": "Paris is the capital of France, see the atlas.",
        "annotations": [
            {"type": "file_citation", "file_id": "file-Atlas2024", "filename": "atlas.pdf", "index": 12},
            {
                "type": "url_citation",
                "url": "https://en.wikipedia.org/wiki/Paris",
                "title": "Paris - Wikipedia",
                "start_index": 0,
                "end_index": 5,
            },
            {
                "type": "container_file_citation",
                "container_id": "cntr_6845a1b2c3d4e5f6",
                "file_id": "cfile_6845a1b2c3d4",
                "filename": "cities.csv",
                "start_index": 6,
                "end_index": 30,
            },
            {"type": "file_path", "file_id": "file-Chart01", "index": 40},
        ],
        "logprobs": [{**logprob, "top_logprobs": [logprob, {**logprob, "token": "Lyon", "logprob": -4.6}]}],
    }
    image = {"detail": "high", "file_id": None, "image_url": f"data:image/png;base64,{_PNG_B64}"}
    return [
        {
            "type": "message",
            "id": new_id("msg"),
            "status": "completed",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is the capital of France? Here is a map and a file."},
                {"type": "input_image", **image},
                {
                    "type": "input_file",
                    "file_id": "file-Atlas2024",
                    "filename": "atlas.pdf",
                    "file_url": "https://files.example.com/atlas.pdf",
                },
                {"type": "computer_screenshot", **image, "detail": "auto"},
            ],
        },
        {
            "type": "message",
            "id": new_id("msg"),
            "status": "completed",
            "role": "assistant",
            "phase": "final_answer",
            "content": [output_text, {"type": "refusal", "refusal": "I cannot share the exact address."}],
        },
        {
            "type": "message",
            "id": new_id("msg"),
            "status": "incomplete",
            "role": "developer",
            "content": [
                {"type": "text", "text": "Answer briefly."},
                {"type": "summary_text", "text": "The user wants a capital city."},
                {"type": "reasoning_text", "text": "France -> Paris."},
            ],
        },
    ]


def _tool_calls(new_id: NewId) -> list[Item]:
    fc, cu, lsh, sh, apc, ctc, tsc, prg = (new_id("call") for _ in range(8))
    approval = new_id("mcpr")
    safety = {"id": new_id("cusc"), "code": "malicious_instructions", "message": "Check the page first."}
    return [
        {
            "type": "function_call",
            "id": new_id("fc"),
            "call_id": fc,
            "name": "get_weather",
            "arguments": json.dumps({"city": "Paris", "units": "celsius"}),
            "status": "completed",
        },
        {
            "type": "function_call_output",
            "id": new_id("fco"),
            "call_id": fc,
            "output": json.dumps({"temperature": 21.5, "conditions": ["sunny", "light wind"]}),
            "status": "completed",
        },
        {
            "type": "file_search_call",
            "id": new_id("fs"),
            "status": "completed",
            "queries": ["capital of France"],
            "results": [
                {
                    "file_id": "file-Atlas2024",
                    "filename": "atlas.pdf",
                    "score": 0.93,
                    "text": "Paris is the capital and largest city of France.",
                    "attributes": {"chapter": "Europe", "page": 112, "verified": True},
                }
            ],
        },
        {
            "type": "web_search_call",
            "id": new_id("ws"),
            "status": "completed",
            "action": {
                "type": "search",
                "query": "capital of France",
                "queries": ["capital of France"],
                "sources": [{"type": "url", "url": "https://en.wikipedia.org/wiki/Paris"}],
            },
        },
        {
            "type": "web_search_call",
            "id": new_id("ws"),
            "status": "completed",
            "action": {"type": "open_page", "url": "https://en.wikipedia.org/wiki/Paris"},
        },
        {
            "type": "web_search_call",
            "id": new_id("ws"),
            "status": "completed",
            "action": {
                "type": "find_in_page",
                "url": "https://en.wikipedia.org/wiki/Paris",
                "pattern": "capital",
            },
        },
        {"type": "image_generation_call", "id": new_id("ig"), "status": "completed", "result": _PNG_B64},
        {
            "type": "computer_call",
            "id": new_id("cu"),
            "call_id": cu,
            "action": {"type": "click", "button": "left", "x": 120, "y": 340},
            "actions": [
                {"type": "double_click", "x": 10, "y": 20, "keys": None},
                {"type": "drag", "path": [{"x": 1, "y": 2}, {"x": 30, "y": 40}]},
                {"type": "keypress", "keys": ["CTRL", "L"]},
                {"type": "move", "x": 5, "y": 6},
                {"type": "screenshot"},
                {"type": "scroll", "x": 0, "y": 0, "scroll_x": 0, "scroll_y": 400},
                {"type": "type", "text": "capital of France"},
                {"type": "wait"},
            ],
            "pending_safety_checks": [safety],
            "status": "completed",
        },
        {
            "type": "computer_call_output",
            "id": new_id("cuo"),
            "call_id": cu,
            "acknowledged_safety_checks": [safety],
            "output": {
                "type": "computer_screenshot",
                "image_url": f"data:image/png;base64,{_PNG_B64}",
                "file_id": "file-Screen01",
            },
            "status": "completed",
        },
        {
            "type": "reasoning",
            "id": new_id("rs"),
            "summary": [{"type": "summary_text", "text": "Looked up the capital of France."}],
            "content": [{"type": "reasoning_text", "text": "The atlas says Paris."}],
            "encrypted_content": "gAAAAABo" + "x7Kq2Lm9" * 12,
            "status": "completed",
        },
        {
            "type": "code_interpreter_call",
            "id": new_id("ci"),
            "status": "completed",
            "container_id": "cntr_6845a1b2c3d4e5f6",
            "code": "print(sum(range(10)))",
            "outputs": [
                {"type": "logs", "logs": "45\n"},
                {"type": "image", "url": "https://files.example.com/plot.png"},
            ],
        },
        {
            "type": "local_shell_call",
            "id": new_id("lsh"),
            "call_id": lsh,
            "action": {
                "type": "exec",
                "command": ["ls", "-la"],
                "env": {"LANG": "C"},
                "timeout_ms": 5000,
                "working_directory": "/tmp",
                "user": "runner",
            },
            "status": "completed",
        },
        {
            "type": "local_shell_call_output",
            "id": new_id("lsho"),
            "call_id": lsh,
            "output": json.dumps({"stdout": "total 0\n", "exit_code": 0}),
            "status": "completed",
        },
        {
            "type": "shell_call",
            "id": new_id("sh"),
            "call_id": sh,
            "action": {"commands": ["uname -a", "sleep 100"], "timeout_ms": 1000, "max_output_length": 4096},
            "environment": {"type": "local"},
            "status": "completed",
            "created_by": "resp_emulator",
        },
        {
            "type": "shell_call_output",
            "id": new_id("sho"),
            "call_id": sh,
            "output": [
                {"stdout": "Linux\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}},
                {"stdout": "", "stderr": "", "outcome": {"type": "timeout"}},
            ],
            "max_output_length": 4096,
            "status": "completed",
            "created_by": "resp_emulator",
        },
        *(
            {
                "type": "apply_patch_call",
                "id": new_id("apc"),
                "call_id": apc,
                "operation": operation,
                "status": "completed",
                "created_by": "resp_emulator",
            }
            for operation in (
                {"type": "create_file", "path": "notes.md", "diff": "+# Notes\n"},
                {"type": "update_file", "path": "README.md", "diff": "@@ -1 +1 @@\n-old\n+new\n"},
                {"type": "delete_file", "path": "tmp.txt"},
            )
        ),
        {
            "type": "apply_patch_call_output",
            "id": new_id("apco"),
            "call_id": apc,
            "status": "completed",
            "output": "Applied 3 operations.",
            "created_by": "resp_emulator",
        },
        {
            "type": "mcp_list_tools",
            "id": new_id("mcpl"),
            "server_label": "deepwiki",
            "tools": [
                {
                    "name": "ask_question",
                    "description": "Ask a question about a repository.",
                    "input_schema": {"type": "object", "properties": {"question": {"type": "string"}}},
                    "annotations": {"read_only": True},
                }
            ],
            "error": None,
        },
        {
            "type": "mcp_approval_request",
            "id": approval,
            "server_label": "deepwiki",
            "name": "ask_question",
            "arguments": json.dumps({"question": "What is pytest?"}),
        },
        {
            "type": "mcp_approval_response",
            "id": new_id("mcpa"),
            "approval_request_id": approval,
            # The OpenAPI schema also requires `request_id` (same value) on this resource.
            "request_id": approval,
            "approve": True,
            "reason": "Read-only tool.",
        },
        {
            "type": "mcp_call",
            "id": new_id("mcp"),
            "server_label": "deepwiki",
            "name": "ask_question",
            "arguments": json.dumps({"question": "What is pytest?"}),
            "output": "A Python testing framework.",
            "error": None,
            "status": "completed",
            "approval_request_id": approval,
        },
        {
            "type": "custom_tool_call",
            "id": new_id("ctc"),
            "call_id": ctc,
            "name": "run_sql",
            "input": "SELECT name FROM cities WHERE capital",
        },
        {
            "type": "custom_tool_call_output",
            "id": new_id("ctco"),
            "call_id": ctc,
            "output": [
                {"type": "input_text", "text": "Paris"},
                {"type": "input_image", "detail": "low", "file_id": "file-Chart01", "image_url": None},
                {"type": "input_file", "file_id": "file-Result01", "filename": "result.csv"},
            ],
        },
        {
            "type": "tool_search_call",
            "id": new_id("tsc"),
            "call_id": tsc,
            "execution": "server",
            "arguments": {"query": "weather"},
            "status": "completed",
        },
        {
            "type": "tool_search_output",
            "id": new_id("tso"),
            "call_id": tsc,
            "execution": "server",
            "tools": [_function_tool("get_weather")],
            "status": "completed",
        },
        {
            "type": "additional_tools",
            "id": new_id("at"),
            "role": "developer",
            "tools": [_function_tool("get_time")],
        },
        {
            "type": "program",
            "id": new_id("prg"),
            "call_id": prg,
            "code": "weather = get_weather(city='Paris')",
            "fingerprint": "fp_6845a1b2",
        },
        {
            "type": "program_output",
            "id": new_id("prgo"),
            "call_id": prg,
            "result": "21.5",
            "status": "completed",
        },
        {
            "type": "compaction",
            "id": new_id("cmp"),
            "encrypted_content": "gAAAAABo" + "c0mPacT9" * 8,
            "created_by": "resp_emulator",
        },
    ]


def mixed_items(new_id: NewId) -> list[Item]:
    """One conversation's worth of items covering every ConversationItem type in the OpenAPI excerpt."""
    return [*_messages(new_id), *_tool_calls(new_id)]
