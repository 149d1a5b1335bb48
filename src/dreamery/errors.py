"""Every error the hub raises, in one tree (`from dreamery import errors`).

DreameryError                       code                 HTTP
├── ConfigurationError              configuration_error  500  a setting is missing or wrong
├── DatabaseUnavailableError        database_unavailable 503  cannot connect to the database
├── SchemaError                     schema_error         503  database not at the models' revision
├── CatalogFileError                catalog_error        500  a catalogue file is invalid
├── ValidationError                 validation_error     422  input refused, with every field error
├── AuthenticationError             unauthenticated      401  wrong credentials, bad token
├── NotFoundError                   not_found            404
├── ConflictError                   conflict             409  stale version, transition
│   └── DuplicateError              conflict             409  a unique value taken; `field`
├── PreconditionRequiredError       precondition_required 428  change sent without a version
├── PermissionDeniedError           permission_denied    403  `permission`: what was missing
└── RateLimitedError                rate_limited         429  too many requests; retry_after

`ValidationError.errors` lists every `FieldError(field, message, type)` of the input at once.
"""

from dreamery.core.errors import (
    AuthenticationError,
    CatalogFileError,
    ConfigurationError,
    ConflictError,
    DatabaseUnavailableError,
    DreameryError,
    DuplicateError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionRequiredError,
    RateLimitedError,
    SchemaError,
    ValidationError,
)

__all__ = [
    "AuthenticationError",
    "CatalogFileError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseUnavailableError",
    "DreameryError",
    "DuplicateError",
    "FieldError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionRequiredError",
    "RateLimitedError",
    "SchemaError",
    "ValidationError",
]
