"""A test-only app: one table with a field of every registry type, for the encoded query tests."""
