"""Writing without ever harming data: temporary files beside the targets, renamed together
at the end, and checks that no target is the input or another target.

A temporary file is named ``.NAME.PID.partial``; one whose process no longer exists was
left by a killed run (``kill -9``) and is removed by the next run writing ``NAME``. The
final renames keep a hard link to any file they replace until every rename succeeded, so
a failure at that point puts back what the user had and leaves no new file.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from fare_service.batch.errors import BatchFileError
from fare_service.batch.reading import BOM, file_format

# Parquet falls back from dictionary to plain encoding once a column chunk's dictionary
# reaches this size. Arrow's 1 MiB default hashes ~130,000 distinct coordinates per
# column before giving up (~0.3 s of the writer per million rows); 64 KiB still keeps
# every column of few values (tariffs, statuses, fares) dictionary-encoded.
DICTIONARY_PAGE_BYTES = 1 << 16

__all__ = ["AtomicWriter", "BackgroundWriter", "BatchFileError", "check_distinct", "file_format"]


def check_distinct(source: Path, **targets: Path | None) -> None:
    """No target is the input or another target: same path, ``./`` or a link to it."""
    seen: dict[Path, str] = {source.resolve(): "the input"}
    for option, path in targets.items():
        if path is None:
            continue
        where = path.resolve()
        for other, name in seen.items():
            if where == other or (path.exists() and other.exists() and path.samefile(other)):
                raise BatchFileError(f"{path}: --{option} would overwrite {name}")
        seen[where] = f"--{option}"


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def remove_stale_partials(path: Path) -> list[Path]:
    """Remove ``.NAME.PID.partial`` files beside ``path`` whose process has ended."""
    removed = []
    for partial in path.parent.glob(f".{path.name}.*.partial"):
        pid = partial.name[len(path.name) + 2 : -len(".partial")]
        if pid.isdigit() and not _process_exists(int(pid)):
            partial.unlink(missing_ok=True)
            removed.append(partial)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def commit(renames: list[tuple[Path, Path]]) -> None:
    """Rename each temporary file onto its target, all or nothing."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for temporary, target in renames:
            kept = _keep_old(target)
            done.append((target, kept))
            os.replace(temporary, target)
    except OSError:
        for target, kept in reversed(done):
            if kept is not None:
                os.replace(kept, target)
            else:
                target.unlink(missing_ok=True)
        raise
    for _, kept in done:
        if kept is not None:
            kept.unlink(missing_ok=True)


def _keep_old(target: Path) -> Path | None:
    if not target.exists():
        return None
    kept = target.with_name(f".{target.name}.{os.getpid()}.old")
    kept.unlink(missing_ok=True)
    os.link(target, kept)
    return kept


class AtomicWriter:
    """Writes tables to a temporary file beside ``path``; ``temporary`` is renamed by
    :func:`commit` once everything else is written too, or removed on an error."""

    def __init__(self, path: Path, schema: pa.Schema, *, csv_bom: bool = True) -> None:
        self.path, self.schema, self.csv_bom = path, schema, csv_bom
        self.format = file_format(path)
        self.temporary = partial_path(path)
        self._writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
        self._sink: pa.NativeFile | None = None

    def __enter__(self) -> AtomicWriter:
        remove_stale_partials(self.path)
        try:
            if self.format == "parquet":
                self._writer = pq.ParquetWriter(
                    self.temporary, self.schema, dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES
                )
            else:
                self._sink = pa.OSFile(str(self.temporary), "wb")
                if self.csv_bom:  # Excel reads UTF-8 only after a BOM (else Korean is mojibake)
                    self._sink.write(BOM)
                options = pa_csv.WriteOptions(quoting_style="needed")
                self._writer = pa_csv.CSVWriter(self._sink, self.schema, write_options=options)
        except (OSError, pa.ArrowException) as error:
            self.temporary.unlink(missing_ok=True)
            raise BatchFileError(f"{self.path}: cannot write ({error})") from None
        except BaseException:  # SIGINT or SIGTERM right as the file was created
            self.temporary.unlink(missing_ok=True)
            raise
        return self

    def write(self, table: pa.Table) -> None:
        assert self._writer is not None
        try:
            self._writer.write_table(table.cast(self.schema))
        except (OSError, pa.ArrowException) as error:
            raise BatchFileError(f"{self.path}: cannot write ({error})") from None

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            if self._sink is not None:
                self._sink.close()
        except (OSError, pa.ArrowException) as error:
            self.temporary.unlink(missing_ok=True)
            if exc_type is None:
                raise BatchFileError(f"{self.path}: cannot write ({error})") from None
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            raise
        if exc_type is not None:
            self.temporary.unlink(missing_ok=True)


class BackgroundWriter:
    """Writes each chunk on a thread while the next one is priced.

    Arrow encodes and compresses without the GIL, so on two cores the write costs almost
    nothing on top of pricing. At most one chunk waits, so memory stays bounded; a
    failed write is raised on the next ``write`` or on leaving the block.
    """

    def __init__(self, writer: AtomicWriter) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self._pending: Future[None] | None = None

    def __enter__(self) -> BackgroundWriter:
        return self

    def write(self, table: pa.Table) -> None:
        self._wait()
        self._pending = self._pool.submit(self._writer.write, table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
