"""The two ways a check can end without accepting: unreadable input, or a rejected certificate."""


class InputError(Exception):
    """The input cannot be read or is not well formed (CLI exit code 2)."""


class Rejected(Exception):
    """The certificate is well formed but does not prove its claim (CLI exit code 1).

    The message names the first failing step in one line.
    """
