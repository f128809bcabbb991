"""Support of a propaganda genre: how close a post is to what analysts labelled as propaganda.

A linear model is confident far from its training data too: the demo model, which saw
no news in Kyrgyz, Uzbek or Urdu, is more than 0.9 sure that a short Kyrgyz news sentence
with an outlet name appended is official propaganda. Its confidence there is
extrapolation, not evidence. So a propaganda genre also needs *support*: the cosine
similarity of the post's character n-grams (group and outlet names, handles and hashtags
blanked, as the model sees it) to the nearest post labelled with a propaganda genre in the
model's training data must reach the codebook's ``propaganda_min_support``. A post without
such support gets the model's best other genre and goes to the active-learning queue
(reason "no similar labelled propaganda"): an analyst decides, and the next model learns.

The labelled propaganda vectors are stored with the model (``.npz``), column-major so
that only the columns a post uses are read. Only candidates (a propaganda genre that
passed the other guards) are scored, so the cost is paid by few posts.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import classify_features
from .classify_features import Triples

Array = np.ndarray[Any, Any]


FREQUENT = 32  # columns with more stored values than this are scored as one dense block


@dataclass(frozen=True, slots=True)
class Support:
    """Unit-norm character n-gram vectors of labelled propaganda posts, by column.

    Columns used by many support posts (frequent n-grams) are also kept as a dense
    ``(frequent columns, posts)`` block: their share of a similarity is one matrix product
    instead of long posting lists.
    """

    col_ptr: Array  # (N_TEXT + 1,) offsets into rows/values
    rows: Array  # support row of each stored value
    values: Array  # float16 weights
    n_rows: int
    frequent: Array  # (N_TEXT,) index into the dense block's rows, -1 for other columns
    dense: Array  # (number of frequent columns, n_rows) float32
    digests: frozenset[bytes]  # of each stored vector: a repost of a labelled post is found by hash

    @classmethod
    def make(cls, col_ptr: Array, rows: Array, values: Array) -> Support:
        n_rows = int(rows.max()) + 1 if len(rows) else 0
        counts = np.diff(col_ptr)
        cols = np.nonzero(counts > FREQUENT)[0]
        frequent = np.full(len(counts), -1, dtype=np.int64)
        frequent[cols] = np.arange(len(cols))
        dense = np.zeros((len(cols), n_rows), dtype=np.float32)
        slot = np.repeat(frequent, counts)  # the dense row of each stored value, or -1
        inside = slot >= 0
        dense[slot[inside], rows[inside]] = values[inside]
        by_row = np.argsort(rows, kind="stable")  # within a row: columns ascending
        row_cols = np.repeat(np.arange(len(counts)), counts)[by_row]
        row_values = values[by_row]
        starts = np.searchsorted(rows[by_row], np.arange(n_rows + 1))
        digests = frozenset(
            digest(row_cols[a:b], row_values[a:b]) for a, b in itertools.pairwise(starts)
        )
        return cls(col_ptr, rows, values, n_rows, frequent, dense, digests)

    def arrays(self) -> dict[str, Array]:
        return {"support_col_ptr": self.col_ptr, "support_rows": self.rows,
                "support_values": self.values}  # fmt: skip

    @classmethod
    def from_arrays(cls, arrays: Any) -> Support | None:
        if "support_col_ptr" not in arrays:
            return None
        return cls.make(arrays["support_col_ptr"], arrays["support_rows"], arrays["support_values"])


def build(x: Triples, n_rows: int, keep: Array) -> Support:
    """The support of the rows ``keep`` (a boolean mask) of text triples ``x``, deduplicated."""
    rows, cols, values = x
    chosen = keep[rows] & ~_duplicates(x, n_rows)[rows]
    rows, cols, values = rows[chosen], cols[chosen], values[chosen].astype(np.float16)
    order = np.lexsort((rows, cols))
    counts = np.bincount(cols, minlength=classify_features.N_TEXT)
    col_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    numbered = np.unique(rows[order], return_inverse=True)[1].astype(np.int32)
    return Support.make(col_ptr, numbered, values[order])


def _duplicates(x: Triples, n_rows: int) -> Array:
    """Per row: True when an earlier row has the same vector (rows of ``x`` are sorted)."""
    rows, cols, values = x
    starts = np.searchsorted(rows, np.arange(n_rows + 1))
    seen: set[bytes] = set()
    out = np.zeros(n_rows, dtype=bool)
    for r in range(n_rows):
        a, b = starts[r], starts[r + 1]
        key = cols[a:b].tobytes() + values[a:b].astype(np.float16).tobytes()
        out[r] = key in seen
        seen.add(key)
    return out


def digest(cols: Array, values: Array) -> bytes:
    """A key of one vector (its columns ascending, its weights as float16)."""
    data = cols.astype(np.int32).tobytes() + values.astype(np.float16).tobytes()
    return hashlib.blake2b(data, digest_size=16).digest()


def similarity(support: Support | None, x: Triples, keep: Array) -> Array:
    """``nearest`` for the rows ``keep`` (boolean mask) of ``x``, in order; each distinct
    vector is scored once, and one equal to a support vector (a repost) by hash."""
    rows, cols, values = x
    chosen = keep[rows]
    rows, cols, values = np.cumsum(keep)[rows[chosen]] - 1, cols[chosen], values[chosen]
    n = int(keep.sum())
    bounds = np.searchsorted(rows, np.arange(n + 1))
    keys = [digest(cols[a:b], values[a:b]) for a, b in itertools.pairwise(bounds)]
    found = support.digests if support is not None else frozenset()
    todo: dict[bytes, int] = {}
    for k, key in enumerate(keys):
        if key not in found:
            todo.setdefault(key, k)
    picked = np.zeros(n, dtype=bool)
    picked[list(todo.values())] = True
    renumber = np.cumsum(picked) - 1
    part = picked[rows]
    sims = nearest(support, (renumber[rows[part]], cols[part], values[part]), len(todo))
    score = dict(zip(todo, sims.tolist(), strict=True))
    return np.array([1.0 if key in found else score[key] for key in keys])


def nearest(support: Support | None, x: Triples, n_rows: int) -> Array:
    """The highest cosine similarity of each row of text triples ``x`` to the support."""
    if support is None or support.n_rows == 0 or n_rows == 0:
        return np.zeros(n_rows)
    rows, cols, values = x
    slot = support.frequent[cols]
    common = slot >= 0
    sims = _dense_part(support, rows[common], slot[common], values[common], n_rows)
    _add_postings(support, (rows[~common], cols[~common], values[~common]), sims)
    return np.asarray(sims.max(axis=1))


def _dense_part(support: Support, rows: Array, slot: Array, values: Array, n_rows: int) -> Array:
    """Similarity over the frequent columns: one product with the columns the batch uses."""
    used, local = np.unique(slot, return_inverse=True)
    query = np.zeros((n_rows, len(used)), dtype=np.float32)
    query[rows, local] = values
    return np.asarray(query @ support.dense[used], dtype=np.float64)


def _add_postings(support: Support, x: Triples, sims: Array) -> None:
    """Add the similarity over the other columns (short posting lists) to ``sims``."""
    rows, cols, values = x
    starts = support.col_ptr[cols]
    lengths = (support.col_ptr[cols + 1] - starts).astype(np.int64)
    total = int(lengths.sum())
    if not total:
        return
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    pair = np.repeat(rows * support.n_rows, lengths) + support.rows[offsets]
    weight = np.repeat(values, lengths) * support.values[offsets]
    sims += np.bincount(pair, weights=weight, minlength=sims.size).reshape(sims.shape)
