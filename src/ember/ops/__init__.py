"""ember.ops."""
