"""Errors about project files. Each message names the file and says what to do; none of
them means that a file was changed (a file that is refused is left exactly as it was)."""

from __future__ import annotations

from survey.errors import EvSurveyError, UserInputError


class ProjectFileError(UserInputError):
    """A file could not be opened as a project. The file is left untouched."""


class NotAProjectError(ProjectFileError):
    """The file is not an evsurvey project at all (empty, an image, another database, a FIFO...)."""


class CorruptProjectError(ProjectFileError):
    """The file is an evsurvey project but damaged."""


class NewerVersionError(ProjectFileError):
    """Written by a newer evsurvey."""


class ForeignSchemaError(CorruptProjectError):
    """The file carries schema objects (triggers, views, extra tables) that are not the project's own:
    a trigger is code that runs on every edit, so such a file is never opened."""


class DamagedRowsError(CorruptProjectError):
    """Some rows or settings are not valid values (a strict load: the CLI). The window skips them instead."""

    def __init__(self, message: str, problems: tuple[str, ...]):
        super().__init__(message)
        self.problems = problems


class ProjectReadOnlyError(ProjectFileError):
    """The file can be read but not written here (read-only media, folder or file, or another writer)."""


class ProjectLockedError(ProjectReadOnlyError):
    """Another evsurvey window or process is writing to the file."""


class InvalidValueError(UserInputError):
    """A value to be written is not storable (NaN, infinite, out of range): nothing was written."""


class ProjectFileLostError(EvSurveyError):
    """The open file was deleted, moved or replaced: nothing more is written to it. What was
    written before is still readable through the open store, so Save As keeps everything."""
