"""ember.jit."""
