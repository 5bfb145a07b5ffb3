"""Typed exceptions: every failure a user can meet says what went wrong and what to do."""


class StanceclfError(Exception):
    """Base class of all stanceclf errors."""


class ModelError(StanceclfError):
    """A model directory or base encoder that cannot be loaded."""


class InputError(StanceclfError):
    """Input that cannot be read as an article (undecodable bytes, malformed records)."""
