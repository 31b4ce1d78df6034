"""Pure pricing: legs in, integer won and breakdown lines out (no I/O, no pandas).

- :mod:`.engine`: the fare rules, once, on ints for one route and int64 arrays for many;
- :mod:`.breakdown`: a priced route's lines, labelled as the agent reads them;
- :mod:`.table`: many routes at once (the batch command), with per-route errors.
"""
