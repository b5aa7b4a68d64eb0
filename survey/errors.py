"""Exception classes shared by every layer. Messages are written for the installer:
they say what went wrong and what to do about it."""


class EvSurveyError(Exception):
    """Base of every expected error. The CLI prints it without a traceback (exit 1)."""

    exit_code = 1


class UserInputError(EvSurveyError):
    """The user gave something unusable (a bad path, a malformed file, a wrong option): exit 2."""

    exit_code = 2
