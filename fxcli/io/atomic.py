"""The one write path of fxe: every output file and output folder goes through here.

Rules (README, Conventions):
- A regular file is built in a temp file beside the target (`.NAME.fxePID_XXXXXXXX.partSUFFIX`) and
  renamed over it only when complete: an exception, Ctrl-C, SIGTERM or SIGHUP leaves neither a partial
  output nor the temp file. A new file gets the mode the umask gives (0666 & ~umask); a file that is
  replaced keeps its mode. A symbolic link to a file is kept; the file it points to is replaced.
- A target that is not a regular file (a character or block device such as /dev/null or /dev/full, a FIFO,
  /dev/stdout, /dev/fd/N from a shell's process substitution) is written directly, never replaced.
- Missing parent folders are created (the same rule for every command).
- A folder given where a file is expected, or an output that is one of the run's input files, is refused
  with one line (exit 2) before anything is written.
- A folder output (PNG frames, a checkpoint) is built in a temp sibling folder and moved into place when
  complete.
- Temp names left by a run that was killed outright (SIGKILL, power loss) are removed by the next run
  that writes the same target: only fxe's own temp-name pattern, only when the process that made it is
  gone and the file is older than the current run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from fxcli.errors import OutputError, UsageError

_RUN_STARTED = time.time()
_INPUTS: dict[tuple[int, int], str] = {}  # (device, inode) of every input file read by this run -> its name
_BLOCKED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_LIVE: set[Path] = set()  # temp files and folders being written now (removed by remove_live_temps)


# ---------------------------------------------------------------------------- inputs (output = input guard)

def note_input(path: str | os.PathLike) -> None:
    """Remember that this run reads `path`, so that no output may replace it."""
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode):
            _INPUTS[(st.st_dev, st.st_ino)] = str(path)


@contextlib.contextmanager
def reading_outputs() -> Iterator[None]:
    """Files read inside this block (earlier outputs, for their records) are not inputs of the run."""
    saved = dict(_INPUTS)
    try:
        yield
    finally:
        _INPUTS.clear()
        _INPUTS.update(saved)


def input_named(path: str | os.PathLike) -> str | None:
    """The input of this run that `path` is (same file, also through links), or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _INPUTS.get((st.st_dev, st.st_ino))


# ---------------------------------------------------------------------------- modes and target kinds

def umask() -> int:
    """The process umask (read from /proc when possible; otherwise set and restored at once)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    return 0o666 & ~umask()


def new_folder_mode() -> int:
    return 0o777 & ~umask()


_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/thread-self/fd)/(\d+)$")


def stream_fd(path: str | os.PathLike) -> int | None:
    """The open file descriptor `path` names (/dev/stdout -> 1, /dev/fd/63 -> 63), or None."""
    s = os.path.normpath(str(path))
    number = {"/dev/stdout": 1, "/dev/stderr": 2}.get(s)
    if number is None:
        m = _FD_PATH.match(s)
        number = int(m.group(1)) if m else None
    if number is None:
        return None
    try:
        os.fstat(number)
    except OSError:
        return None
    return number


def is_direct_target(path: str | os.PathLike) -> bool:
    """True when `path` must be written in place: a device, a FIFO, a socket, /dev/stdout, /dev/fd/N."""
    if stream_fd(path) is not None:
        return True
    try:
        st = os.stat(path)  # follows links: a link to /dev/null is a device
    except OSError:
        return False
    return not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode))


def _resolve(path: str | os.PathLike) -> Path:
    target = Path(path).expanduser()
    if target.is_symlink() and not target.is_dir():
        return Path(os.path.realpath(target))
    return target


def check_output_path(path: str | os.PathLike) -> Path:
    """Refuse a folder where a file is expected and an output that is an input (exit 2); else the target."""
    target = Path(path).expanduser()
    if is_direct_target(target):
        return target
    if target.is_dir():
        raise UsageError(f"output {path} is a folder, expected a file name", hint="give a file name such as out.png")
    same = input_named(target)
    if same is not None:
        raise UsageError(f"output {path} is the input {same}; it would be replaced",
                         hint="choose another output name")
    return target


def check_writable_dir(path: str | os.PathLike) -> Path:
    """The parent folder of `path`, created when missing; OutputError when it cannot be created or written."""
    target = Path(path).expanduser()
    if is_direct_target(target):
        return target.parent
    parent = Path(os.path.abspath(target)).parent
    make_folders(parent)
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: folder {parent} is not writable")
    return parent


def make_folders(folder: str | os.PathLike) -> Path:
    """Create `folder` and its missing parents (mode from the umask); OutputError with the reason if not."""
    folder = Path(folder)
    if folder.is_dir():
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot create folder {folder}: a file of that name exists") from None
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror}") from exc
    return folder


def prepare_outputs(paths) -> None:
    """Check every output of a command before any work: folders, inputs, writable parents."""
    for p in paths:
        if p and p != "-":
            check_output_path(p)
            check_writable_dir(p)


# ---------------------------------------------------------------------------- temp names

def remove_live_temps() -> None:
    """Remove every temp file/folder now being written (the last resort of a run stopped by a signal)."""
    for tmp in list(_LIVE):
        with contextlib.suppress(OSError):
            if tmp.is_dir() and not tmp.is_symlink():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink()
        _LIVE.discard(tmp)


def _temp_name(name: str, suffix: str, *, folder: bool = False) -> str:
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    return f".{stem}.fxe{os.getpid()}_{secrets.token_hex(4)}.part{'' if folder else suffix}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(target: Path, suffix: str = "", *, folder: bool = False) -> int:
    """Remove temp files/folders an earlier killed run left for `target`; returns how many."""
    name = target.name
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    pattern = re.compile(rf"^\.{re.escape(stem)}\.fxe(\d+)_[0-9a-f]{{8}}\.part{'' if folder else re.escape(suffix)}$")
    removed = 0
    try:
        entries = list(os.scandir(target.parent if str(target.parent) else "."))
    except OSError:
        return 0
    for entry in entries:
        m = pattern.match(entry.name)
        if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= _RUN_STARTED:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP for a short critical section (a rename sequence); delivered after it."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
    except (ValueError, OSError):  # not the main thread, or no signal support
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# ---------------------------------------------------------------------------- direct (in place) writes

def _os_error(path, exc: OSError) -> BaseException:
    if exc.errno == errno.EPIPE:
        return BrokenPipeError(errno.EPIPE, "Broken pipe")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


@contextlib.contextmanager
def _direct_fd(path: str | os.PathLike) -> Iterator[int]:
    """An fd writing into `path` in place: a duplicate of the named descriptor, or the path opened."""
    import sys

    number = stream_fd(path)
    try:
        if number is not None:
            if number == 1 and sys.stdout is not None:
                with contextlib.suppress(OSError, ValueError):
                    sys.stdout.flush()
            fd = os.dup(number)
        else:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_error(path, exc) from exc
    try:
        yield fd
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes | memoryview, path) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view[: 1 << 20])
        except OSError as exc:
            raise _os_error(path, exc) from exc
        view = view[n:]


def write_direct(path: str | os.PathLike, data: bytes) -> None:
    with _direct_fd(path) as fd:
        _write_all(fd, data, path)


def copy_direct(source: Path, path: str | os.PathLike) -> None:
    """Stream the finished file `source` into the non-regular target `path`."""
    with _direct_fd(path) as fd, open(source, "rb") as fh:
        while chunk := fh.read(1 << 20):
            _write_all(fd, chunk, path)


# ---------------------------------------------------------------------------- files

@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes `path` (see the module's rules).

    The temp name keeps the target's suffix (encoders pick formats from it). On any exception,
    KeyboardInterrupt and the fxe signal exceptions included, the temp file is removed and the target is
    left untouched. A non-regular target gets the finished temp file's bytes streamed into it.
    """
    target = check_output_path(path)
    suffix = target.suffix if suffix is None else suffix
    direct = is_direct_target(target)
    if direct:
        folder = Path(tempfile.gettempdir())
        sweep_stale(folder / f"fxe-out{suffix}", suffix)
    else:
        target = _resolve(target)
        folder = check_writable_dir(target)
        sweep_stale(target, suffix)
    tmp = folder / _temp_name(target.name if not direct else "fxe-out" + suffix, suffix)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    os.close(fd)
    _LIVE.add(tmp)
    try:
        yield tmp
        if direct:
            copy_direct(tmp, target)
            tmp.unlink()
            return
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode) if target.is_file() else new_file_mode()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        _LIVE.discard(tmp)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` through the one write path (atomic for files, in place for devices/pipes)."""
    if is_direct_target(path):
        check_output_path(path)
        write_direct(path, data)
        return
    with atomic_path(path) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from exc


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


# ---------------------------------------------------------------------------- folders

@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, *, stale: tuple[str, ...] = (), last: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a temp sibling folder to fill; on success its files become the folder `path`.

    A missing or empty target folder is replaced by the finished one in one rename. An existing folder
    with other files keeps them: the new files are moved in one by one (signals held meanwhile), after
    removing files matching the `stale` glob patterns (e.g. frames of an earlier, longer render) and
    the `last` files; `last` files (a record, a config) are moved in last, so an interrupted move never
    leaves a folder that looks complete. On any exception the temp folder is removed.
    """
    target = Path(path).expanduser()
    if target.exists() and not target.is_dir():
        raise UsageError(f"output {path} is a file, expected a folder", hint="give a folder name ending in /")
    parent = Path(os.path.abspath(target)).parent
    make_folders(parent)
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: folder {parent} is not writable")
    name = Path(os.path.abspath(target)).name
    sweep_stale(parent / name, folder=True)
    tmp = parent / _temp_name(name, "", folder=True)
    try:
        tmp.mkdir(mode=0o700)
    except OSError as exc:
        raise OutputError(f"cannot create folder {path}: {exc.strerror}") from exc
    _LIVE.add(tmp)
    try:
        yield tmp
        _fix_modes(tmp)
        with signals_deferred():
            _move_into_place(tmp, target, stale, last)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        _LIVE.discard(tmp)


def _fix_modes(folder: Path) -> None:
    file_mode, dir_mode = new_file_mode(), new_folder_mode()
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), dir_mode)
        for f in files:
            os.chmod(os.path.join(root, f), file_mode)
    os.chmod(folder, dir_mode)


def _move_into_place(tmp: Path, target: Path, stale: tuple[str, ...], last: tuple[str, ...]) -> None:
    try:
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if not target.exists():
            os.rename(tmp, target)
            return
        for name in last:
            with contextlib.suppress(FileNotFoundError):
                (target / name).unlink()
        for pattern in stale:
            for old in target.glob(pattern):
                if old.is_file() and not (tmp / old.name).exists():
                    old.unlink()
        names = sorted(p.name for p in tmp.iterdir())
        for n in [n for n in names if n not in last] + [n for n in last if n in names]:
            dest = target / n
            if dest.is_dir() and not (tmp / n).is_dir():
                raise UsageError(f"cannot write {dest}: a folder of that name exists")
            if dest.is_dir():
                shutil.rmtree(dest)
            os.replace(tmp / n, dest)
        tmp.rmdir()
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}") from exc
