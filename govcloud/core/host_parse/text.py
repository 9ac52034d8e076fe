"""Bytes from a remote command to text, whatever the host's locale did to them.

Legacy servers in these estates often run a GBK locale (zh_CN.GBK), so a Chinese host name or
mount point arrives as GBK bytes; some outputs are cut short or carry stray bytes. Strict UTF-8
first, then GBK, then UTF-8 with replacement characters: decoding never fails.
"""

from __future__ import annotations


def decode(raw: bytes) -> str:
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def to_int(text: str) -> int | None:
    """A non-negative decimal integer, or None (never raises)."""
    return int(text) if text.isascii() and text.isdigit() else None


def first_line(raw: bytes) -> str | None:
    for line in decode(raw).splitlines():
        if line.strip():
            return line.strip()
    return None
