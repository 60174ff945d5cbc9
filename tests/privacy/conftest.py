"""Fixtures of the privacy tests: the access matrix's world (every record, one user per role)."""

from tests.test_access_matrix import world  # noqa: F401  (a fixture, shared with the access matrix)
