"""Exceptions that mean "the user must fix their input", reported as one line with exit code 2."""

from __future__ import annotations


class VerifyUsageError(Exception):
    """A bad option, an unreachable server, no migrations or no backend: never shown as a traceback."""
