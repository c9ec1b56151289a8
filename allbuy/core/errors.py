"""The one error type the domain raises; views and the API turn it into a message and a status."""

from typing import Any


class ApplicationError(Exception):
    """A failure the user can act on: a stable `code`, a readable `message`, an HTTP `status`."""

    code = "application_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra or {}


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class InvalidInput(ApplicationError):
    code = "invalid_input"
    status = 400
