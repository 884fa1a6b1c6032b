"""The real-model corpus of issue 11: published architectures as shared source (see registry)."""
