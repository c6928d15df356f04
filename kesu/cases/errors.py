"""Domain errors raised by services and selectors; the API maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on. `message` is Chinese and shown as is."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400


class NotFound(DomainError):
    """Also raised for a case outside the user's scope: an outsider learns nothing, not even that it exists."""

    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    status = 409


class VersionConflict(DomainError):
    code = "version_conflict"
    status = 409
