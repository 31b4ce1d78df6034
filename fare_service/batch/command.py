"""``fare-service batch INPUT --out OUTPUT``: exit 0 when every row priced, 1 when some
rows are errors (each explained in its ``error`` column), 2 on a usage or I/O error
(then no output file is left behind)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from fare_service.batch.frame import BatchSettings, output_schema, price_batch
from fare_service.batch.heap import keep_freed_heap
from fare_service.batch.io import AtomicWriter, BackgroundWriter, BatchFileError, ChunkReader
from fare_service.batch.progress import BatchProgress
from fare_service.batch.report import write_report
from fare_service.batch.summary import Summary
from fare_service.config import Settings
from fare_service.errors import FareServiceError

EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE = 0, 1, 2


def run_batch_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = run_batch(
            args.input,
            args.out,
            _batch_settings(args, settings),
            engine=args.engine,
            scheduler=args.scheduler,
            chunk_rows=args.chunk_rows,
        )
        if args.report is not None:
            write_report(args.report, summary, source=args.input, output=args.out)
    except (BatchFileError, FareServiceError, OSError, pa.ArrowException) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print_summary(summary)
    return EXIT_OK if summary.error_rows == 0 else EXIT_ROW_ERRORS


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
    target: Path,
    settings: BatchSettings,
    *,
    engine: str = "pandas",
    scheduler: str | None = None,
    chunk_rows: int = 200_000,
) -> Summary:
    """Price ``source`` into ``target`` chunk by chunk; raises on usage and I/O errors."""
    if chunk_rows < 1:
        raise BatchFileError("--chunk-rows must be at least 1")
    if not source.is_file():
        raise BatchFileError(f"{source}: no such file")
    reader = ChunkReader(source, chunk_rows)
    if "call_id" not in reader.schema.names:
        raise BatchFileError(f"{source}: the column call_id is required")
    pricer = settings.pricer()  # loads and checks the tariffs before any output exists
    keep_freed_heap()  # a third of the pricing time was page faults otherwise
    if settings.tariff_override is not None:
        pricer.book.get(settings.tariff_override)
    summary = Summary()
    with (
        AtomicWriter(target, output_schema(reader.schema), source=source) as writer,
        BatchProgress(f"batch {source.name}") as progress,
        BackgroundWriter(writer) as background,  # leaves before the writer closes
    ):
        for table, fraction_done in _chunks(reader, settings, engine, scheduler):
            background.write(table)
            summary.add(table)
            progress.advance(table.num_rows, fraction_done)
    return summary


def _chunks(
    reader: ChunkReader, settings: BatchSettings, engine: str, scheduler: str | None
) -> Iterator[tuple[pa.Table, float | None]]:
    if engine == "dask":
        from fare_service.batch.dask_engine import dask_chunks

        yield from dask_chunks(
            reader.path, settings, scheduler=scheduler, chunk_rows=reader.chunk_rows
        )
        return
    pricer, rows_done = settings.pricer(), 0
    for batch in reader:
        rows_done += batch.num_rows
        yield price_batch(batch, pricer), reader.fraction_done(rows_done)


def print_summary(summary: Summary) -> None:
    from rich.console import Console
    from rich.table import Table

    from fare_service.money import format_won

    table = Table(title="batch summary", show_header=False)
    table.add_row("rows", f"{summary.rows:,}")
    table.add_row("ok", f"{summary.ok:,}")
    for reason, count in summary.errors.most_common():
        table.add_row(f"error: {reason}", f"{count:,}")
    table.add_row("rows with a charge", f"{summary.charged_rows:,}")
    table.add_row("total overcharge", format_won(summary.total_overcharge_won))
    median = summary.median_overcharge_won
    table.add_row("median overcharge", "-" if median is None else format_won(round(median)))
    for item in summary.largest:
        table.add_row(
            f"  {item.call_id}", f"{format_won(item.overcharge)} over {format_won(item.fare)}"
        )
    Console(stderr=True).print(table)
