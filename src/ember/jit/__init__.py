"""ember.jit."""

from ember.jit.trace import TracerWarning, TracingCheckError, trace  # noqa: F401
