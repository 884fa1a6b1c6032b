"""ember.upgraders."""
