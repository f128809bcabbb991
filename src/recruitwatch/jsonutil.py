"""Fast, stable JSON text for storage and hashing (orjson, json as the fallback).

orjson refuses lone surrogates and non-string keys; such payloads (rare: broken
exports) go through the standard library with the same compact separators.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """Compact JSON text (UTF-8, non-ASCII kept); deterministic for the same value."""
    try:
        return orjson.dumps(value, option=_OPTS, default=str).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
