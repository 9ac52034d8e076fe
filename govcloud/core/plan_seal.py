"""Seals on files govcloud writes for a later command to act on (quota plans).

A plain content hash only shows accidental edits: whoever edits the file can hash it again. A
seal is an HMAC over the file's canonical content with the audit key, which lives outside the
file and outside the store (config dir, 0600): a file edited by someone without the key does
not verify, however it is re-hashed. The seal names its algorithm (`hmac-sha256:…`,
`hmac-sm3:…`) so a file sealed under another configuration is told apart from a forged one.
"""

from __future__ import annotations

import hmac

from govcloud.core.audit_trail import Signer

PREFIX = "hmac-"


def seal(signer: Signer, body: bytes) -> str:
    return f"{PREFIX}{signer.alg}:{_mac(signer, body)}"


def verifies(signer: Signer, body: bytes, sealed: str) -> bool:
    """True when SEALED is this signer's HMAC of BODY (compared in constant time)."""
    alg, _, mac = sealed.partition(":")
    if alg != f"{PREFIX}{signer.alg}" or not mac:
        return False
    return hmac.compare_digest(mac, _mac(signer, body))


def algorithm(sealed: str) -> str:
    """The algorithm a seal names (`sha256`), or "" when it names none."""
    alg, sep, _ = sealed.partition(":")
    return alg.removeprefix(PREFIX) if sep and alg.startswith(PREFIX) else ""


def _mac(signer: Signer, body: bytes) -> str:
    return hmac.new(signer.key, body, signer.alg).hexdigest()
