"""Plug-in discovery shared by every plug-in kind (readers, enrichers, signal types).

Built-ins are listed as ``module:Class`` specs and load through the same path as
third-party plug-ins, which register under an entry-point group; a plug-in never
replaces a built-in of the same NAME.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any


def load_class(spec: str, base: type) -> type[Any]:
    module, _, name = spec.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"{spec} is not a {base.__name__}")
    return cls


def load_plugins(base: type, builtins: Sequence[str], group: str) -> dict[str, type[Any]]:
    """Every plug-in class of ``base`` by its NAME: built-ins first, then entry points."""
    found: dict[str, type[Any]] = {}
    for spec in builtins:
        cls = load_class(spec, base)
        found[str(getattr(cls, "NAME"))] = cls  # noqa: B009 - NAME is a ClassVar of each base
    for ep in entry_points(group=group):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, base):
            found.setdefault(str(getattr(cls, "NAME")), cls)  # noqa: B009
    return found
