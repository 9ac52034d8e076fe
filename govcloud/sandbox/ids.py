"""Deterministic identifiers: the same seed always yields the same estate.

Servers and volumes can number 100,000, so their UUIDs are not stored: the row index is encoded
in the last 12 hex digits (masked per kind) and the rest is a keyed hash of the index, which lets
a marker or a `servers/{id}` URL be mapped back to its row without a lookup table.
"""

from __future__ import annotations

import hashlib
import uuid

_NAMESPACE = uuid.UUID("6f1f7c1e-3c55-4c1b-9a43-3c3d7c0f9a10")
_INDEX_BITS = 48


def name_uuid(*parts: str) -> str:
    """A stable UUID for a named object (project, flavor, host...)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _mask(kind: str, seed: int) -> int:
    digest = hashlib.blake2b(f"{kind}:{seed}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")


def _head(kind: str, seed: int, index: int) -> str:
    return hashlib.blake2b(f"{kind}:{seed}:{index}".encode(), digest_size=10).hexdigest()


class RowIds:
    """Maps row index <-> UUID for one kind of row (server, volume) of one estate."""

    def __init__(self, kind: str, seed: int) -> None:
        self._kind, self._seed, self._mask = kind, seed, _mask(kind, seed)

    def of(self, index: int) -> str:
        head = _head(self._kind, self._seed, index)
        tail = index ^ self._mask
        # version 4 and RFC 4122 variant nibbles so clients that validate UUIDs accept them
        return (
            f"{head[:8]}-{head[8:12]}-4{head[13:16]}-"
            f"{'89ab'[int(head[16], 16) & 3]}{head[17:20]}-{tail:012x}"
        )

    def index(self, text: str) -> int | None:
        """The row of a UUID this estate issued, else None (unknown or forged)."""
        if len(text) != 36:
            return None
        try:
            index = int(text[24:], 16) ^ self._mask
        except ValueError:
            return None
        if index >= 1 << _INDEX_BITS or self.of(index) != text.lower():
            return None
        return index
