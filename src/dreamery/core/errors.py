"""The one exception tree of the hub. Every error a user can meet is one of these.

DreameryError                       code                 HTTP
├── ConfigurationError              configuration_error  500  a setting is missing or wrong
├── DatabaseUnavailableError        database_unavailable 503  cannot connect to the database
├── SchemaError                     schema_error         503  database not at the models' revision
├── CatalogFileError                catalog_error        500  a catalogue file is invalid
├── BackupError                     backup_error         500  a backup or restore failed
├── ValidationError                 validation_error     422  input refused, with every field error
│   └── InvalidCursorError          invalid_cursor       400  a cursor altered or from elsewhere
├── AuthenticationError             unauthenticated      401  wrong credentials, bad token
├── NotFoundError                   not_found            404
├── ConflictError                   conflict             409  stale version, in use, transition
│   └── DuplicateError              conflict             409  a unique value taken; `field`
├── PreconditionRequiredError       precondition_required 428  change sent without a version
├── PermissionDeniedError           permission_denied    403  `permission` names what was missing
└── RateLimitedError                rate_limited         429  too many requests; retry_after
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


class DreameryError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class ConfigurationError(DreameryError):
    code = "configuration_error"

    def __init__(self, setting: str, message: str) -> None:
        text = message if message.startswith(setting) else f"{setting}: {message}"
        super().__init__(text, setting=setting)
        self.setting = setting


class DatabaseUnavailableError(DreameryError):
    code = "database_unavailable"
    status = 503


class SchemaError(DreameryError):
    code = "schema_error"
    status = 503


class CatalogFileError(DreameryError):
    code = "catalog_error"


class BackupError(DreameryError):
    code = "backup_error"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    type: str = "value_error"


# What pydantic puts before the message of a validator's own ValueError or assertion.
_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")


def validator_message(message: str) -> str:
    """A validator's message as it wrote it, without pydantic's "Value error, " before it."""
    for prefix in _VALIDATOR_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


class ValidationError(DreameryError):
    code = "validation_error"
    status = 422

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(message or f"invalid input: {summary}")
        self.errors = errors


class InvalidCursorError(ValidationError):
    """A page cursor the hub did not issue for this listing (altered, or from another one)."""

    code = "invalid_cursor"
    status = 400

    def __init__(self) -> None:
        message = "is not a cursor of this listing; start again without it"
        super().__init__([FieldError("cursor", message, "invalid_cursor")])


class AuthenticationError(DreameryError):
    code = "unauthenticated"
    status = 401


class NotFoundError(DreameryError):
    code = "not_found"
    status = 404


class ConflictError(DreameryError):
    code = "conflict"
    status = 409


class DuplicateError(ConflictError):
    """A value that must be unique is taken: `field` names it (an e-mail address already
    registered, a slug in use). Its `errors` list the field as a 422's would."""

    def __init__(self, field: str, message: str = "is already in use") -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field
        self.errors = [FieldError(field, message, "unique")]


class PreconditionRequiredError(DreameryError):
    """A change of a versioned record that does not say which version it is based on: it
    would overwrite, unseen, whatever changed since it was read (RFC 6585, 428)."""

    code = "precondition_required"
    status = 428


class PermissionDeniedError(DreameryError):
    """Not allowed. `permission`, when known, is what the caller would need
    (`resource:action:scope`, as catalog/permissions.toml spells it)."""

    code = "permission_denied"
    status = 403

    def __init__(self, message: str, *, permission: str | None = None, **details: Any) -> None:
        super().__init__(message, **({"permission": permission} if permission else {}), **details)
        self.permission = permission


class RateLimitedError(DreameryError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
