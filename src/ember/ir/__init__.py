"""ember.ir."""
