"""ember.compiler.lowering."""
