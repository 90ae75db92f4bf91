"""Tests of the extractor package, one module per engine module (plus the loader)."""
