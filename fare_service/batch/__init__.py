"""Files of disputed rides in, recomputed fares out, chunk by chunk.

table.py        the shared chunk pricing core (arrays in, fares out); the API's batch uses it
frame.py        a DataFrame chunk -> validated RouteTable -> result columns
io.py           CSV / Parquet chunked reading, atomic writing
progress.py     rows/s and ETA, on a terminal or in a log
summary.py      rows, errors by reason, overcharges; report.py renders it as HTML
dask_engine.py  the same chunk function over dask.dataframe partitions
command.py      ``fare-service batch``: the exit codes and the wiring
"""
