"""One place that decides what happens when a service cannot run on this machine."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_ENV = "GOVCLOUD_REQUIRE_SERVICES"


def services_required() -> bool:
    """True when missing services must fail the run (CI) instead of skipping tests."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str) -> NoReturn:
    """Skip the requesting test, or fail it when ``GOVCLOUD_REQUIRE_SERVICES=1``."""
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)
