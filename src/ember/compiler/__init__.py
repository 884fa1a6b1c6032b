"""ember.compiler."""
