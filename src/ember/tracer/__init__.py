"""ember.tracer."""
