"""The one error type raised when a weight file cannot be accepted as a pybridge model."""

from __future__ import annotations


class ModelFormatError(ValueError):
    """A model or state-dict file is malformed or outside the supported model class.

    The message is always a single line naming the first problem found.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
