"""``fare-service batch INPUT --out OUTPUT``: exit 0 when every row priced, 1 when some
rows are errors (each explained in its ``error`` column), 2 on a usage or I/O error
(one line naming the file and the cause; no new file is left behind). SIGINT and SIGTERM
remove the temporary files too (exit 130 and 143)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pyarrow as pa

from fare_service.batch.errors import BatchFileError
from fare_service.batch.frame import (
    BatchSettings,
    output_schema,
    price_read,
    replaced_by_results,
)
from fare_service.batch.heap import keep_freed_heap
from fare_service.batch.io import (
    AtomicWriter,
    BackgroundWriter,
    check_distinct,
    commit,
    partial_path,
    remove_stale_partials,
)
from fare_service.batch.progress import BatchProgress
from fare_service.batch.reading import InputFile, ReadChunk, file_format
from fare_service.batch.report import render_report
from fare_service.batch.summary import Summary
from fare_service.config import Settings
from fare_service.errors import FareServiceError

EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like SIGINT so every ``with`` block removes its temporary file."""


@dataclass(frozen=True)
class Outputs:
    out: Path
    report: Path | None = None
    report_lang: str = "ko"
    csv_bom: bool = True


def run_batch_command(args: argparse.Namespace, settings: Settings) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        outputs = Outputs(args.out, args.report, args.report_lang, args.csv_bom)
        summary = run_batch(
            args.input,
            outputs,
            _batch_settings(args, settings),
            engine=args.engine,
            scheduler=args.scheduler,
            chunk_rows=args.chunk_rows,
        )
    except Terminated:
        print("error: terminated; no output written", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("error: interrupted; no output written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (BatchFileError, FareServiceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a worker's or a library's failure: still one line
        print(f"error: {args.input}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        signal.signal(signal.SIGTERM, previous)
    print_summary(summary)
    return EXIT_OK if summary.error_rows == 0 else EXIT_ROW_ERRORS


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def _batch_settings(args: argparse.Namespace, settings: Settings) -> BatchSettings:
    return BatchSettings(
        tariff_dir=settings.tariff_dir,
        default_tariff=settings.default_tariff,
        tariff_override=args.tariff,
        route_profile=settings.route_profile,
        verdict_tolerance_won=settings.verdict_tolerance_won,
    )


def run_batch(
    source: Path,
    outputs: Outputs | Path,
    settings: BatchSettings,
    *,
    engine: str = "pandas",
    scheduler: str | None = None,
    chunk_rows: int = 200_000,
) -> Summary:
    """Price ``source`` into the outputs chunk by chunk; raises on usage and I/O errors."""
    outputs = outputs if isinstance(outputs, Outputs) else Outputs(outputs)
    if chunk_rows < 1:
        raise BatchFileError("--chunk-rows must be at least 1")
    if not source.is_file():
        raise BatchFileError(f"{source}: no such file")
    file_format(outputs.out)
    check_distinct(source, out=outputs.out, report=outputs.report)
    reader = InputFile(source, chunk_rows)
    if "call_id" not in reader.schema.names:
        raise BatchFileError(f"{source}: the column call_id is required")
    pricer = settings.pricer()  # loads and checks the tariffs before any output exists
    if settings.tariff_override is not None:
        pricer.book.get(settings.tariff_override)
    keep_freed_heap()  # a third of the pricing time was page faults otherwise
    # A priced file can be priced again: its old results give way to the new ones. An
    # input column of another meaning under such a name (a charged "fare") is said so.
    summary = Summary(replaced_columns=replaced_by_results(reader.schema.names))
    writer = AtomicWriter(outputs.out, output_schema(reader.schema), csv_bom=outputs.csv_bom)
    with (
        writer,
        BatchProgress(f"batch {source.name}") as progress,
        BackgroundWriter(writer) as background,  # leaves before the writer closes
    ):
        for table in _priced(reader, settings, engine, scheduler):
            background.write(table)
            summary.add(table)
            progress.advance(table.num_rows, reader.fraction_done())
    _finish(writer, outputs, summary, source)
    return summary


def _finish(writer: AtomicWriter, outputs: Outputs, summary: Summary, source: Path) -> None:
    """Write the report beside the complete output, then rename both, or neither."""
    renames = [(writer.temporary, outputs.out)]
    try:
        if outputs.report is not None:
            remove_stale_partials(outputs.report)
            report = partial_path(outputs.report)
            renames.append((report, outputs.report))
            html = render_report(
                summary, source=source, output=outputs.out, lang=outputs.report_lang
            )
            _write_text(report, html)
        commit(renames)
    except BaseException:
        for temporary, _ in renames:
            temporary.unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BatchFileError(f"{path}: cannot write ({error.strerror or error})") from None


def _priced(
    reader: InputFile, settings: BatchSettings, engine: str, scheduler: str | None
) -> Iterator[pa.Table]:
    if engine == "dask":
        from fare_service.batch.dask_engine import dask_tables

        yield from dask_tables(reader, settings, scheduler=scheduler)
        return
    pricer = settings.pricer()
    for chunk in _read_ahead(reader.chunks()):
        yield price_read(chunk, pricer)


def _read_ahead(chunks: Iterator[ReadChunk]) -> Iterator[ReadChunk]:
    """Chunks read one ahead on a thread: Arrow parses without the GIL, so the next chunk
    is read while this one is priced (one chunk more in memory)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-reader") as pool:
        ahead = pool.submit(next, chunks, None)
        while (chunk := ahead.result()) is not None:
            ahead = pool.submit(next, chunks, None)
            yield chunk


def print_summary(summary: Summary) -> None:
    from rich.console import Console
    from rich.table import Table

    from fare_service.money import format_won

    table = Table(title="batch summary", show_header=False)
    table.add_row("rows", f"{summary.rows:,}")
    if summary.replaced_columns:
        replaced = ", ".join(summary.replaced_columns)
        table.add_row("replaced by results", f"{replaced} (what was paid goes in charged_fare)")
    table.add_row("ok", f"{summary.ok:,}")
    for reason, count in summary.errors.most_common():
        table.add_row(f"error: {reason}", f"{count:,}")
    table.add_row("rows with a charge", f"{summary.charged_rows:,}")
    table.add_row("total overcharge", format_won(summary.total_overcharge_won))
    median = summary.median_overcharge_won
    table.add_row("median overcharge", "-" if median is None else format_won(round(median)))
    Console(stderr=True).print(table)
