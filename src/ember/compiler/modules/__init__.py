"""ember.compiler.modules."""
