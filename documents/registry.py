"""Document types: every generated Word document is a docxtpl template of a registered type.

An app declares each of its documents in ``AppConfig.ready()`` with :func:`register_type`: a key, a Chinese
name, the variables its context carries (name, Chinese description, example) and the python-docx function
that builds the shipped default template (``<app>/data/templates/<key>.docx``, written by
``scripts/build_doc_templates.py``). The declaration is what the template page lists for the clerk who edits
a template in Word, what an uploaded template is checked against, and where the sample data of a preview
comes from (the examples)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps

from orgs.choices import UnitKind


@dataclass(frozen=True)
class Image:
    """A picture placed where the template says (the QR code of a 一会三卡): PNG bytes and the printed width."""

    png: bytes = field(repr=False)
    width_mm: float


@dataclass(frozen=True)
class Var:
    """One variable of a document's context.

    ``name`` is dotted (``campaign.name``) for a value, or a plain name for a list whose elements hold the
    ``item`` variables; ``loop`` is the name the documentation uses for one element
    (``{%tr for p in plans %}…{{ p.label }}…{%tr endfor %}``)."""

    name: str
    label: Any
    example: Any = ""
    item: tuple[Var, ...] = ()
    loop: str = "item"

    @property
    def is_list(self) -> bool:
        return bool(self.item)

    @property
    def is_image(self) -> bool:
        return isinstance(self.example, Image)

    def sample(self) -> Any:
        if self.is_list:
            return [{v.name: v.sample() for v in self.item}]
        return self.example


@dataclass(frozen=True)
class DocumentType:
    key: str
    label: Any
    group: Any
    app_label: str
    variables: tuple[Var, ...]
    build_default: Callable[[], Any] = field(repr=False)  # -> docx.Document
    # Who may keep their own version: the campaign office (for the county's documents) and/or a department
    # (for its own documents). Which unit's version a document uses is decided where it is generated.
    owner_kinds: tuple[str, ...] = (UnitKind.OFFICE, UnitKind.DEPARTMENT)
    # In Chinese, whose version a generated document uses (shown on the template page).
    rule: Any = ""

    @property
    def default_path(self) -> Path:
        return Path(apps.get_app_config(self.app_label).path) / "data" / "templates" / f"{self.key}.docx"

    def default_bytes(self) -> bytes:
        return self.default_path.read_bytes()

    def names(self) -> set[str]:
        """The top-level names a template may use."""
        return {v.name.split(".", 1)[0] for v in self.variables}

    def paths(self) -> set[str]:
        """Every declared dotted name and each of its prefixes (``campaign`` and ``campaign.name``)."""
        out: set[str] = set()
        for v in self.variables:
            parts = v.name.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        return out

    def leaves(self) -> set[str]:
        return {v.name for v in self.variables}

    def sample_context(self) -> dict[str, Any]:
        """The context of a preview: every variable set to its example."""
        return nest((v.name, v.sample()) for v in self.variables)


def nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """{"a.b": 1, "a.c": 2} -> {"a": {"b": 1, "c": 2}}."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        *parents, last = name.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def shape(value: Any) -> Any:
    """The structure of a context (keys of mappings, the shape of a list's first element), for tests that a
    generator's real context is exactly what its type declares."""
    if isinstance(value, Mapping):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shape(value[0])] if value else []
    if isinstance(value, Image):
        return "image"
    return "value"


_TYPES: dict[str, DocumentType] = {}


def register_type(doc_type: DocumentType) -> None:
    if doc_type.key in _TYPES and _TYPES[doc_type.key] is not doc_type:
        raise ValueError(f"document type {doc_type.key!r} registered twice")
    _TYPES[doc_type.key] = doc_type


def get_type(key: str) -> DocumentType:
    """The type of ``key``; KeyError when none is registered."""
    return _TYPES[key]


def all_types() -> list[DocumentType]:
    return sorted(_TYPES.values(), key=lambda t: (str(t.group), t.key))
