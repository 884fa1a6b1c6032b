"""ember.serializer."""
