"""Message content parts and their annotations (the nested unions of message items)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from .base import FALLBACK, Family, Model, UnknownPart


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


_annotations = Family()
Annotation = Annotated[
    Annotated[FileCitation, _annotations.tag(FileCitation)]
    | Annotated[UrlCitation, _annotations.tag(UrlCitation)]
    | Annotated[ContainerFileCitation, _annotations.tag(ContainerFileCitation)]
    | Annotated[FilePath, _annotations.tag(FilePath)]
    | Annotated[UnknownPart, FALLBACK],
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


_parts = Family()
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
    | Annotated[UnknownPart, FALLBACK],
    _parts.discriminator(),
]

# A tool's output is a string or a list of input parts (text, image, file).
ToolOutput = str | list[ContentPart]
