"""Seeded request bodies over real Seoul and Gyeonggi coordinates, shared by the load tests.

Every generator takes a ``random.Random`` so a run is repeatable from its seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

# Representative points (lat, lon) of neighbourhoods in Seoul and Gyeonggi.
POINTS = [
    (37.5663, 126.9779),  # 서울시청
    (37.4979, 127.0276),  # 강남역
    (37.5008, 127.0365),  # 역삼역
    (37.5172, 127.0473),  # 강남구청
    (37.5546, 126.9707),  # 서울역
    (37.5794, 126.9770),  # 경복궁
    (37.5443, 127.0557),  # 성수
    (37.5133, 127.1001),  # 잠실
    (37.5219, 126.9245),  # 여의도
    (37.5563, 126.9236),  # 홍대입구
    (37.4842, 126.9296),  # 신림
    (37.6538, 127.0607),  # 노원
    (37.3595, 127.1052),  # 성남 정자동
    (37.3947, 127.1112),  # 판교
    (37.2636, 127.0286),  # 수원
    (37.6584, 126.8320),  # 고양 일산
    (37.4563, 126.7052),  # 인천 (out of Seoul)
    (37.3943, 126.9568),  # 안양
]
PLACES = [
    "강남구 역삼동",
    "분당구 정자동",
    "종로구 청진동",
    "마포구 서교동",
    "송파구 잠실동",
    "영등포구 여의도동",
    "수원시 팔달구 인계동",
    "판교동",
]
CALL_TYPES = ["own_general", "own_vip", "reservation", "other"]


def stop(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.3:
        return {"place": rng.choice(PLACES)}
    lat, lon = rng.choice(POINTS)
    return {
        "lat": round(lat + rng.uniform(-0.01, 0.01), 5),
        "lon": round(lon + rng.uniform(-0.01, 0.01), 5),
    }


def ride_time(rng: random.Random) -> str:
    start = datetime(2026, 11, 2, 0, 0) + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
    return start.isoformat() + "+09:00"


def quote_body(rng: random.Random) -> dict[str, Any]:
    waypoints = [stop(rng) for _ in range(rng.randint(0, 3))]
    body: dict[str, Any] = {
        "tariff_id": rng.choice(["daeri-standard", "seoul-taxi"]),
        "at": ride_time(rng),
        "origin": stop(rng),
        "waypoints": waypoints,
        "destination": stop(rng),
    }
    if rng.random() < 0.3:
        body["legs"] = [
            {"distance_m": rng.randint(500, 15_000), "duration_s": rng.randint(60, 1800)}
            for _ in range(len(waypoints) + 1)
        ]
    return body


def adjustment_body(rng: random.Random) -> dict[str, Any]:
    """Every outcome appears: reconnect, blocked, decline and refer_to_situation_room."""
    kind = rng.choices(["reconnect", "blocked", "decline", "refer"], [60, 25, 10, 5])[0]
    call_type = {"decline": "consigned", "refer": "partner"}.get(kind, rng.choice(CALL_TYPES))
    checks = {
        "identity_verified": True,
        "driver_present": True,
        "driver_consent": True,
        "customer_consent": True,
        "reconnections_so_far": 0,
        "customer_recalling": False,
        "driver_on_duty": True,
    }
    if kind == "blocked":
        checks[rng.choice(["driver_consent", "driver_on_duty", "customer_consent"])] = False
    change: dict[str, Any] | None = rng.choice(
        [
            None,
            {"destination": stop(rng)},
            {"add_waypoints": [stop(rng)]},
            {"agreed_fare": 30000},
        ]
    )
    body = {
        "tariff_id": "daeri-standard",
        "call": {
            "id": f"C{rng.randrange(10**8):08d}",
            "type": call_type,
            "state": rng.choice(["cancelled_after_assignment", "completed"]),
            "payment": rng.choice(["card", "cash"]),
            "fare": rng.randrange(15, 60) * 1000,
            "requested_at": ride_time(rng),
            "origin": stop(rng),
            "waypoints": [],
            "destination": stop(rng),
            "driving_started": rng.random() < 0.7,
        },
        "change": change,
        "checks": checks,
        "forced_call_id": f"F{rng.randrange(10**8):08d}",
    }
    call = body["call"]  # a completed call was driven (the API refuses it otherwise)
    call["driving_started"] = call["driving_started"] or call["state"] == "completed"
    return body


def batch_body(rng: random.Random, items: int = 100) -> dict[str, Any]:
    return {"items": [quote_body(rng) for _ in range(items)]}
