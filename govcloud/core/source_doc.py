"""A parsed YAML document with the way back from key paths to its lines: what the bounded YAML
reader hands to whoever validates the document (inventory, playbooks, the config file). Kept
apart from the inventory's models so that reading a config file does not build them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govcloud.core.errors import Location

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceDoc:
    """A parsed YAML document and a way back from key paths to its lines."""

    path: str
    data: Any
    line_of: Callable[[KeyPath], int | None]

    def at(self, path: KeyPath, key: str | None = None) -> Location:
        return Location(self.path, self.line_of(path), key)
