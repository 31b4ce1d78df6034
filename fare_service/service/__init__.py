"""The use cases every surface shares, returning frozen results.

- :mod:`.runtime`: what is loaded once at start-up (tariffs, places, routers, templates);
- :mod:`.quoting`: a route request -> :class:`~.results.QuoteResult` (the one road);
- :mod:`.adjusting`: an agent's situation -> :class:`~.adjusting.AdjustmentResult`.
"""
