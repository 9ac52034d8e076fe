"""Writing files the way every govcloud file is written: 0600 from creation, atomically.

The data goes to a temporary file in the target's folder (created 0600 by `mkstemp`), is synced,
and is renamed over the target: a reader finds the old file or the new one, never half of one,
and no other user can read it at any moment.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from govcloud.core.errors import GovcloudError

PRIVATE = 0o600


def write_private(target: Path, data: bytes, *, mode: int = PRIVATE) -> None:
    """Write DATA to TARGET atomically, readable by its owner only (unless MODE says otherwise)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode != PRIVATE:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise GovcloudError(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
