"""The audit chain's head, anchored outside the store: one small JSON file per store.

After every commit that appended to the trail the head file says (seq, hash, hmac, alg) of the
newest record; `log verify` then knows a truncated tail for what it is. The file only moves
forward: writers take an exclusive lock on a sibling lock file, and a lower seq never replaces
a higher one (two processes may commit in one order and anchor in the other).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from govcloud.adapters.files import write_private
from govcloud.adapters.store.engine import describe
from govcloud.core.audit_trail import Sealed
from govcloud.core.audit_verify import HeadAnchor
from govcloud.core.errors import GovcloudError, StoreError


def path_for(head_dir: Path, url: str) -> Path:
    """The head file of the store at URL (named by a digest of the URL without its password)."""
    digest = hashlib.sha256(describe(url).encode()).hexdigest()[:24]
    return head_dir / f"{digest}.json"


def read(head_dir: Path, url: str) -> HeadAnchor | None:
    path = path_for(head_dir, url)
    try:
        data = json.loads(path.read_bytes())
        return HeadAnchor(int(data["seq"]), str(data["hash"]), str(data["hmac"]), str(data["alg"]))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read the audit head {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, RecursionError):
        raise StoreError(
            f"audit head {path} is not a head file",
            hint="restore it from its backup (or remove it to verify without a head anchor)",
        ) from None


def advance(head_dir: Path, url: str, sealed: Sealed) -> int | None:
    """Anchor SEALED as the head unless a higher seq is anchored already; returns the seq
    anchored before (None: no head yet)."""
    path = path_for(head_dir, url)
    with _locked(path):
        current = read(head_dir, url)
        if current is not None and current.seq >= sealed.seq:
            return current.seq
        data = {
            "store": describe(url), "seq": sealed.seq, "hash": sealed.hash,
            "hmac": sealed.hmac, "alg": sealed.alg, "ts": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        write_private(path, (json.dumps(data, sort_keys=True) + "\n").encode())
        return None if current is None else current.seq


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise GovcloudError(f"cannot lock the audit head {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock
