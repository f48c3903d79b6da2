"""One hierarchy of errors. Each says what went wrong, where, and how to fix it."""

from __future__ import annotations

__all__ = [
    "TrollscanError",
    "NotACase",
    "CaseExists",
    "StoreVersionMismatch",
    "UnknownFormat",
    "MissingColumns",
    "BadRecord",
    "BadFile",
    "TooLarge",
    "BadParameter",
    "TranslatorFailed",
]


class TrollscanError(Exception):
    """Base of every error trollscan raises on purpose: a message and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class NotACase(TrollscanError):
    """The folder holds no case."""


class CaseExists(TrollscanError):
    """`init` was asked to create a case where one already is."""


class StoreVersionMismatch(TrollscanError):
    """The case was written by a version of trollscan this one cannot open."""


class UnknownFormat(TrollscanError):
    """No adapter recognises the file."""


class MissingColumns(TrollscanError):
    """A file lacks columns its format needs."""


class BadFile(TrollscanError):
    """A file cannot be read at all: missing, a directory, unreadable, wrong encoding."""


class BadRecord(TrollscanError):
    """One record of a file is wrong; the message names the file and the record."""


class TooLarge(TrollscanError):
    """A file, a record or a decompressed stream passes a safety limit."""


class BadParameter(TrollscanError):
    """An option has a value outside its range."""


class TranslatorFailed(TrollscanError):
    """The installed translation tool failed on a text."""
