"""ember's error hierarchy: every error ember raises on purpose derives from EmberError.

Example:
    >>> import ember
    >>> issubclass(ember.SerializationError, ember.EmberError)
    True
"""

__all__ = [
    "EmberError",
    "SerializationError",
    "VersionError",
    "CompileError",
    "VerifyError",
    "TraceError",
    "InternalError",
]


class EmberError(Exception):
    """Base class of all of ember's own errors."""


class SerializationError(EmberError):
    """A file or stream could not be read or written: truncated, corrupt, forbidden content."""


class VersionError(SerializationError):
    """A file's format or operator version lies outside what this reader supports."""


class CompileError(EmberError):
    """Source could not be compiled; the message shows `file:line:col` and a caret excerpt."""


class VerifyError(EmberError):
    """IR failed a well-formedness check; the message prints the offending operation."""


class TraceError(EmberError):
    """Tracing could not record a program from the example inputs."""


class InternalError(EmberError):
    """A bug in ember itself (not in the user's code) that surfaced while doing a job, such
    as compiling a statement; the message names what ember was working on, and the original
    exception is chained as ``__cause__``."""
