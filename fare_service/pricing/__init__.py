"""Pure pricing: legs in, integer won and breakdown lines out (no I/O, no pandas).

- :mod:`.routes`: what the engine reads (a route, or many as arrays) and gives back;
- :mod:`.fare_rules`: the fare rules, written once on per-route totals;
- :mod:`.engine`: the legs counted into those totals, on ints for one route and int64
  arrays for many;
- :mod:`.breakdown`: a priced route's lines, labelled as the agent reads them;
- :mod:`.table`: many routes at once (the batch command), with per-route errors.
"""
