"""Typed errors: every expected failure carries a message a person can act on.

The CLI catches `DrafterError` once, prints `error: <message>` and the hint on stderr, and exits
non-zero; the review app shows the same text with `notify()`. Each error has a `kind`, which is
the `error.kind` of the facts contract (CONTRACT.md).
"""

from __future__ import annotations


class DrafterError(Exception):
    """An expected failure, with what to do about it."""

    kind = "internal"

    def __init__(self, message: str, hint: str = "", *, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message and the hint as one line, for stderr and JSON."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class FetchError(DrafterError):
    """The page could not be retrieved (network, timeout, redirects, unsupported source)."""

    kind = "fetch"


class HTTPError(FetchError):
    """The server answered with an error status."""

    kind = "http"

    def __init__(self, message: str, hint: str = "", *, status: int = 0) -> None:
        super().__init__(message, hint)
        self.status = status


class NotHTMLError(FetchError):
    """The source is not an HTML, XHTML or plain-text document."""

    kind = "not-html"


class TooLargeError(FetchError):
    """The body went past the size cap."""

    kind = "too-large"


class EncodingError(FetchError):
    """The bytes could not be decoded as text."""

    kind = "encoding"


class ExtractError(DrafterError):
    """The page holds no article text to work on."""

    kind = "empty"


class ModelError(DrafterError):
    """A model (spaCy or the classifier) is missing, corrupt or untrusted."""

    kind = "internal"


class StoreError(DrafterError):
    """The archive database could not be read or written."""

    kind = "internal"


class NotFoundError(DrafterError):
    """A dossier or fact that was asked for does not exist."""

    kind = "internal"


class ConflictError(StoreError):
    """Someone else changed the record since it was read."""
