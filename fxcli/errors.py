"""Domain errors. Each carries the process exit code documented in `man fxe` (EXIT STATUS).

The core raises these; the CLI turns them into one line on stderr and the exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_MODEL_MISSING = 4
EXIT_NO_FACE = 5
EXIT_DEVICE = 6
EXIT_HANGUP = 129
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_FAILURE: "failure (including an output that cannot be written, e.g. a full disk, or a batch with failed jobs)",
    EXIT_USAGE: "usage error: unknown option, bad option value, bad recipe; an output that names a folder where a "
                "file is expected, or names an input; two jobs writing one output",
    EXIT_INVALID_INPUT: "invalid input data: unreadable file, malformed JSON, wrong shape, NaN/inf",
    EXIT_MODEL_MISSING: "model weights missing, incomplete or corrupt (the message says how to get them)",
    EXIT_NO_FACE: "no face found, or an ambiguous face",
    EXIT_DEVICE: "device or memory problem (e.g. CUDA asked for but not available)",
    EXIT_HANGUP: "hung up (SIGHUP); no partial output is left behind",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C, SIGINT); no partial output is left behind",
    EXIT_BROKEN_PIPE: "the reader of stdout went away (e.g. `| head`); nothing is printed",
    EXIT_TERMINATED: "terminated (SIGTERM); no partial output is left behind",
}


class FxeError(Exception):
    """Base of every error fxe reports to the user; `exit_code` is the process status."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageError(FxeError):
    exit_code = EXIT_USAGE


class InvalidInputError(FxeError):
    exit_code = EXIT_INVALID_INPUT


class ModelMissingError(FxeError):
    exit_code = EXIT_MODEL_MISSING


class NoFaceError(FxeError):
    exit_code = EXIT_NO_FACE


class DeviceError(FxeError):
    exit_code = EXIT_DEVICE


class OutputError(FxeError):
    """An output cannot be written (missing or read-only folder, full disk)."""

    exit_code = EXIT_FAILURE
