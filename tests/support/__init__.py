"""Helpers the tests share; nothing here is tested, nothing in the package exists for tests."""
