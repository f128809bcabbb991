"""One exception tree for the whole package.

RecruitwatchError
├── ConfigError            bad settings, missing optional extra          (exit 2)
│   └── MissingExtraError  an optional dependency is not installed
├── InputError             input that cannot be read as a whole          (exit 3)
│   ├── FormatNotRecognised  no reader claims the file
│   └── FetchError           a feed URL could not be fetched
├── RecordError            one bad record in good input (quarantined)    (exit 4 if any)
│   └── UnsafePathError      a media path that escapes the export folder
├── StoreError             database problems                             (exit 5)
│   └── SchemaError          the database is not at the expected migration
└── LiveCollectionError    the live Telegram collector failed            (exit 6)

Warnings (``warnings.warn``; ``recruitwatch ingest`` prints them to stderr):

RecruitwatchWarning (UserWarning)
└── InputWarning           an input was read, but only in part or not cleanly

Broad ``except`` clauses live only at batch boundaries (the pipeline), where a
bad record is quarantined with its reason and the rest of the batch goes on.
"""

from __future__ import annotations


class RecruitwatchError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1


class ConfigError(RecruitwatchError):
    exit_code = 2


class MissingExtraError(ConfigError):
    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this feature needs the optional extra {extra!r} (module {module!r} is missing): "
            f"pip install 'recruitwatch[{extra}]'"
        )
        self.extra = extra
        self.module = module


class InputError(RecruitwatchError):
    """A whole input (file, URL) could not be read."""

    exit_code = 3

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        """Picklable (parallel ingest workers send it to the main process)."""
        return type(self), (self.location, self.reason)


class FormatNotRecognised(InputError):
    pass


class FetchError(InputError):
    pass


class RecordError(RecruitwatchError):
    """One record could not be normalised; it is quarantined, the batch goes on."""

    exit_code = 4

    def __init__(self, reason: str, locator: str = "") -> None:
        super().__init__(f"{locator}: {reason}" if locator else reason)
        self.reason = reason
        self.locator = locator


class UnsafePathError(RecordError):
    pass


class StoreError(RecruitwatchError):
    exit_code = 5


class SchemaError(StoreError):
    pass


class LiveCollectionError(RecruitwatchError):
    exit_code = 6


class RecruitwatchWarning(UserWarning):
    """Root of every warning this package emits on purpose."""


class InputWarning(RecruitwatchWarning):
    """An input was read, but not cleanly (e.g. a malformed feed a lenient parser recovered)."""
