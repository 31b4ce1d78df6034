"""Fixtures of the batch tests; helpers live in batch_testing.py."""

from batch_testing import run  # noqa: F401  (the fixture)
