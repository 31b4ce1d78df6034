"""Files of disputed rides in, recomputed fares out, chunk by chunk.

csv_records.py  where each CSV record starts and ends, and its line (numpy on bytes)
reading.py      CSV / Parquet -> chunks of input columns, source_line, unreadable records
columns.py      Arrow columns -> clean arrays (text, numbers, won, Seoul wall times)
fields.py       the priced columns parsed, each bad value flagging its row
frame.py        a chunk -> RouteTable -> result columns (pricing/table.py prices it)
io.py           writing: temporary files, all-or-nothing renames, no target is the input
progress.py     rows/s and ETA, on a terminal or in a log
summary.py      rows, errors by reason, over- and undercharges; report.py renders it
dask_engine.py  the same chunk function on a Dask cluster's workers
command.py      ``fare-service batch``: the exit codes and the wiring
"""
