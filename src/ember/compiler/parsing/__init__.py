"""ember.compiler.parsing."""
