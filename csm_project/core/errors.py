"""The one way the domain layer refuses something.

Services and selectors raise ``DomainError`` (or a subclass) and never an HTTP error: the API
layer maps it once per envelope family (``csm_project/api/errors.py``), the admin turns it into
form errors, and the import commands into bad-row reports.

A ``DomainError`` carries one or more ``FieldError``: the wire name of the field at fault ("" when
the record as a whole is refused), a short machine-readable ``code`` and a message for people.
Its ``kind`` says what went wrong in words every adapter understands:

- ``invalid``: the values break a rule (HTTP 400);
- ``not_found``: the record, or one it needs, does not exist (HTTP 404);
- ``forbidden``: the record may not be changed this way (HTTP 403);
"""

from dataclasses import dataclass

# Field error codes, shared by every app.
REQUIRED = "required"
INVALID = "invalid"
CHOICE = "choice"
REFERENCE = "reference"
TOO_LONG = "too_long"
UNIQUE = "unique"
READ_ONLY = "read_only"


def quoted(value: str) -> str:
    """A client's value quoted in a message, cut short: messages echo input, not books."""
    return repr(value if len(value) <= 64 else value[:64] + "...")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = INVALID


class DomainError(Exception):
    """A rule refused a read or a write; nothing was written."""

    kind = "invalid"

    def __init__(self, errors: "list[FieldError] | FieldError | str", *, field: str = "", code: str = INVALID):
        if isinstance(errors, str):
            errors = [FieldError(field, errors, code)]
        elif isinstance(errors, FieldError):
            errors = [errors]
        if not errors:
            raise ValueError("a DomainError needs at least one FieldError")
        self.errors: list[FieldError] = list(errors)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The first error's message: what a one-line envelope shows."""
        return self.errors[0].message

    @property
    def fields(self) -> list[str]:
        return [error.field for error in self.errors]


class RecordMissing(DomainError):
    """The record (or one the write refers to) does not exist."""

    kind = "not_found"


class ProtectedRecord(DomainError):
    """The record exists but may not be changed or deleted this way."""

    kind = "forbidden"
