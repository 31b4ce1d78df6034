"""``fare-service serve | quote | batch | tariffs``.

Heavy imports (uvicorn, pandas, Dask) happen inside the command that needs them, so
``fare-service quote`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fare_service.clock import parse_time
from fare_service.config import Settings, SettingsError, get_settings
from fare_service.errors import BadInput, BadInputs, FareServiceError, field_path
from fare_service.pricing.routes import MAX_QUANTITY, OUT_OF_RANGE
from fare_service.tariff_book import TariffBook, load_tariff_book, load_tariff_file

if TYPE_CHECKING:
    from fare_service.service.quoting import RouteQuery
    from fare_service.service.results import QuoteResult


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SettingsError as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except BadInputs as exc:  # every bad stop of the request, one line each
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return 2
    except FareServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fare-service", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _add_serve(commands)
    _add_quote(commands)
    _add_batch(commands)
    _add_tariffs(commands)
    return parser


def _add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API and the quoting form")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from fare_service.api.serve import serve
    from fare_service.service.runtime import check_files

    settings = get_settings()
    check_files(settings)
    return serve(settings, host=args.host, port=args.port, workers=args.workers)


def _add_quote(commands: argparse._SubParsersAction) -> None:
    quote = commands.add_parser(
        "quote",
        help="price a route: stops, caller legs, or a /v1/quotes body (--request)",
        description="The same pipeline as POST /v1/quotes; exit 2 with the field on bad input.",
    )
    quote.add_argument("--tariff", help="tariff id (default: FARE_SERVICE_DEFAULT_TARIFF)")
    quote.add_argument("--at", help="ride start, ISO 8601; naive is Asia/Seoul; default now")
    quote.add_argument("--origin", metavar="STOP", help="a place name or LAT,LON")
    quote.add_argument("--via", action="append", default=[], metavar="STOP", help="a waypoint")
    quote.add_argument("--destination", metavar="STOP", help="a place name or LAT,LON")
    quote.add_argument(
        "--leg",
        action="append",
        type=_leg,
        metavar="METRES:SECONDS",
        help="one stop-to-stop leg, e.g. 5000:600; repeat for each leg",
    )
    quote.add_argument("--waiting-s", type=float, default=0.0)
    quote.add_argument(
        "--outside-area", action="store_true", help="legs alone: the ride leaves the home area"
    )
    quote.add_argument(
        "--request", type=Path, metavar="FILE", help="a POST /v1/quotes JSON body ('-': stdin)"
    )
    quote.add_argument("--format", choices=["json", "table"], default="json")
    quote.set_defaults(run=_quote)


def _quote(args: argparse.Namespace) -> int:
    import asyncio

    import orjson
    from pydantic import ValidationError

    from fare_service.api.schemas import QuoteRequest
    from fare_service.service.quoting import quote_route
    from fare_service.service.runtime import load_runtime

    try:
        if args.request is None and not (args.origin or args.destination) and args.leg:
            query = _legs_alone(args)
        else:
            query = QuoteRequest.model_validate_json(_quote_body(args)).route_query()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"error: {field_path(error['loc'])}: {error['msg']}", file=sys.stderr)
        return 2
    runtime = load_runtime(get_settings())
    quote = asyncio.run(quote_route(query, runtime))
    if args.format == "json":
        print(orjson.dumps(quote, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_table(quote)
    return 0


def _legs_alone(args: argparse.Namespace) -> RouteQuery:
    """Legs with no stops: they cannot say where the ride went, so the flag does."""
    from fare_service.service.quoting import RouteQuery

    at = None
    if args.at is not None:
        try:
            at = parse_time(args.at)
        except ValueError as exc:
            raise BadInput(str(exc), field="--at") from None
    return RouteQuery(
        at=at,
        tariff_id=args.tariff,
        legs=args.leg,
        waiting_s=args.waiting_s,
        outside_area=args.outside_area,
    )


def _quote_body(args: argparse.Namespace) -> bytes:
    """The flags as a /v1/quotes body, or the body given with --request."""
    if args.request is not None:
        return sys.stdin.buffer.read() if str(args.request) == "-" else args.request.read_bytes()
    body: dict[str, Any] = {"tariff_id": args.tariff, "at": args.at, "waiting_s": args.waiting_s}
    if args.origin or args.destination or args.via:
        body["origin"] = _stop(args.origin)
        body["waypoints"] = [_stop(stop) for stop in args.via]
        body["destination"] = _stop(args.destination)
    if args.leg:
        body["legs"] = [{"distance_m": d, "duration_s": t} for d, t in args.leg]
    return json.dumps(body).encode()


def _stop(text: str | None) -> dict[str, Any] | None:
    """``37.57,126.98`` as coordinates, anything else as a place name."""
    if text is None:
        return None
    lat, _, lon = text.partition(",")
    try:
        return {"lat": float(lat), "lon": float(lon)}
    except ValueError:
        return {"place": text}


def _print_table(quote: QuoteResult) -> None:
    from rich.console import Console
    from rich.table import Table

    from fare_service.money import format_won

    table = Table(title=f"{quote.tariff.name} ({quote.tariff.id} {quote.tariff.version})")
    table.add_column("항목")
    table.add_column("금액", justify="right")
    for line in quote.breakdown:
        table.add_row(line.label, format_won(line.amount))
    table.add_row("[bold]합계[/bold]", f"[bold]{format_won(quote.fare)}[/bold]")
    Console().print(table)
    print(f"{quote.distance_m:,} m, {quote.duration_s:,} s")
    for warning in quote.warnings:
        print(f"주의: {warning}")


def _add_batch(commands: argparse._SubParsersAction) -> None:
    batch = commands.add_parser("batch", help="recompute the fares of a CSV or Parquet file")
    batch.add_argument("input", type=Path)
    batch.add_argument("--out", type=Path, required=True)
    batch.add_argument("--tariff")
    batch.add_argument("--report", type=Path, help="a self-contained HTML report")
    batch.add_argument("--report-lang", choices=["ko", "en"], default="ko")
    batch.add_argument(
        "--csv-bom",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start a CSV output with a UTF-8 BOM, so Excel reads Korean (default: on)",
    )
    batch.add_argument("--engine", choices=["pandas", "dask"], default="pandas")
    batch.add_argument("--scheduler", help="Dask scheduler address (tcp://...)")
    batch.add_argument("--chunk-rows", type=int, default=200_000)
    batch.set_defaults(run=_batch)


def _batch(args: argparse.Namespace) -> int:
    from fare_service.batch.command import run_batch_command

    return run_batch_command(args, get_settings())


def _add_tariffs(commands: argparse._SubParsersAction) -> None:
    tariffs = commands.add_parser("tariffs", help="list, show or check the tariff files")
    actions = tariffs.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser("list").set_defaults(run=_tariffs_list)
    show = actions.add_parser("show")
    show.add_argument("id")
    show.set_defaults(run=_tariffs_show)
    check = actions.add_parser("check", help="validate every file; non-zero exit on error")
    check.add_argument("dir", nargs="?", type=Path)
    check.set_defaults(run=_tariffs_check)


def _tariffs_list(args: argparse.Namespace) -> int:
    for tariff in _book(get_settings()):
        versions = ", ".join(v.version for v in tariff.versions)
        print(f"{tariff.id}\t{tariff.name}\t{versions}")
    return 0


def _tariffs_show(args: argparse.Namespace) -> int:
    tariff = _book(get_settings()).get(args.id)
    print(json.dumps(tariff.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def _tariffs_check(args: argparse.Namespace) -> int:
    directory = args.dir or get_settings().tariff_dir
    failures = 0
    for path in sorted(directory.glob("*.toml")):
        try:
            tariff = load_tariff_file(path)
            print(f"ok      {path.name}: {tariff.id}, {len(tariff.versions)} version(s)")
        except FareServiceError as exc:
            failures += 1
            print(f"invalid {exc}", file=sys.stderr)
    return 1 if failures else 0


def _book(settings: Settings) -> TariffBook:
    return load_tariff_book(settings.tariff_dir, settings.default_tariff)


def _leg(text: str) -> tuple[float, float]:
    metres, _, seconds = text.partition(":")
    try:
        leg = (float(metres), float(seconds))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not METRES:SECONDS") from exc
    if not all(0 <= value <= MAX_QUANTITY for value in leg):
        raise argparse.ArgumentTypeError(f"{text!r}: metres and seconds {OUT_OF_RANGE}")
    return leg


if __name__ == "__main__":
    sys.exit(main())
