"""The one error hierarchy of govcloud, caught once at the CLI edge.

    GovcloudError                 exit 1  runtime failure
    ├── UsageError                exit 2  bad flags, paths, URLs
    │   ├── ValidationError       exit 2  declared inventory / plan files that do not validate
    │   └── PermissionDenied      exit 2  the caller's role may not run the command (recorded)
    ├── NotFoundError             exit 1  a named object is not in the store
    ├── StoreError                exit 1  the store cannot be opened, migrated or written
    └── CloudError                exit 1  an OpenStack call failed (names pool and call)
    FindingsError                 exit 3  an audit found findings at or above --fail-on

Every error carries a one-line message and, where we can tell the user what to do next, a hint.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3


class GovcloudError(Exception):
    exit_code = EXIT_RUNTIME
    code = "runtime_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class UsageError(GovcloudError):
    exit_code = EXIT_USAGE
    code = "usage_error"


@dataclass(frozen=True)
class Location:
    """Where in a declared file a problem sits."""

    file: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} ({self.key})" if self.key else where


class ValidationError(UsageError):
    code = "validation_error"

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        full = f"{location}: {message}" if location else message
        super().__init__(full, hint=hint)
        self.location = location


class PermissionDenied(UsageError):
    code = "permission_denied"


class NotFoundError(GovcloudError):
    code = "not_found"


class StoreError(GovcloudError):
    code = "store_error"


class CloudError(GovcloudError):
    code = "cloud_error"


class FindingsError(GovcloudError):
    exit_code = EXIT_FINDINGS
    code = "findings"
