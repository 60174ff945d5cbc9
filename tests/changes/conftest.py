"""Fixtures of the history tests: the organisation tests' reference rows."""

from tests.organisations.conftest import ref  # noqa: F401  (a fixture, used by name)
