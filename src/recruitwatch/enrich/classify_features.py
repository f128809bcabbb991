"""Features in numpy: hashed character 2-4-grams of a batch of texts, metadata tokens, dense blocks.

No vocabulary and no scikit-learn at prediction time (importing its text module
costs ~64 MB, more than an ingest process may grow). A batch of texts is joined
with NUL separators, each n-gram's code points are combined into a 64-bit hash with
vectorised array arithmetic, n-grams that span a separator are dropped, and each
row is L2-normalised (as scikit-learn's HashingVectorizer does). The result is
``(rows, cols, values)`` triples: a sparse matrix without scipy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

N_TEXT = 2**16
N_META = 2**8
N_FEATURES = N_TEXT + N_META
NGRAMS = (2, 3, 4)
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)

Triples = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]


def _codepoints(texts: Sequence[str]) -> np.ndarray[Any, Any]:
    joined = "\x00".join(f" {' '.join(t.replace(chr(0), ' ').split())} " for t in texts)
    data = joined.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(data, dtype=np.uint32).astype(np.uint64)


def _ngram_hashes(cps: np.ndarray[Any, Any], n: int) -> tuple[np.ndarray[Any, Any], ...]:
    """Start positions and column indices of the n-grams that stay inside one text."""
    length = len(cps) - n + 1
    if length <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    h = np.full(length, np.uint64(n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * _PRIME + cps[k : k + length]
        h = (h ^ (h >> np.uint64(29))) * _MIX
        h ^= h >> np.uint64(32)
    seps = np.concatenate([[0], np.cumsum(cps == 0)])
    inside = seps[n : n + length] == seps[:length]
    starts = np.nonzero(inside)[0]
    return starts, (h[inside] % np.uint64(N_TEXT)).astype(np.int64)


def _normalised(rows: np.ndarray[Any, Any], cols: np.ndarray[Any, Any], n_rows: int) -> Triples:
    keys, counts = np.unique(rows * N_FEATURES + cols, return_counts=True)
    r, c = keys // N_FEATURES, keys % N_FEATURES
    values = counts.astype(np.float64)
    norms = np.sqrt(np.bincount(r, weights=values**2, minlength=n_rows))
    return r, c, values / np.maximum(norms[r], 1e-12)


def char_ngrams(texts: Sequence[str]) -> Triples:
    """L2-normalised counts of hashed character 2-4-grams, one row per text."""
    if not texts:
        return _normalised(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    cps = _codepoints(texts)
    row_of = np.concatenate([[0], np.cumsum(cps == 0)])[:-1]
    rows, cols = [], []
    for n in NGRAMS:
        starts, c = _ngram_hashes(cps, n)
        rows.append(row_of[starts])
        cols.append(c)
    return _normalised(np.concatenate(rows), np.concatenate(cols), len(texts))


def meta_features(tokens: Sequence[Sequence[str]], weight: float) -> Triples:
    """L2-normalised metadata tokens scaled by ``weight``, in the columns after the text."""
    rows = [r for r, toks in enumerate(tokens) for _ in toks]
    cols = [N_TEXT + zlib.crc32(t.encode()) % N_META for toks in tokens for t in toks]
    r, c, v = _normalised(np.array(rows, np.int64), np.array(cols, np.int64), len(tokens))
    return r, c, v * weight


def dense(block: np.ndarray[Any, Any], offset: int, weight: float) -> Triples:
    """A dense ``(rows, dim)`` block (sentence embeddings) as triples from column ``offset``."""
    n_rows, dim = block.shape
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), dim)
    cols = np.tile(np.arange(offset, offset + dim, dtype=np.int64), n_rows)
    return rows, cols, block.astype(np.float64).ravel() * weight


def stack(*parts: Triples) -> Triples:
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def scores(x: Triples, coef: np.ndarray[Any, Any], n_rows: int) -> np.ndarray[Any, Any]:
    """``x @ coef.T`` for triples ``x``: one row per text, one column per class."""
    rows, cols, values = x
    out = np.zeros((n_rows, coef.shape[0]))
    for k in range(coef.shape[0]):
        out[:, k] = np.bincount(rows, weights=values * coef[k, cols], minlength=n_rows)
    return out


def to_csr(x: Triples, n_rows: int, n_cols: int = N_FEATURES) -> Any:
    """A scipy CSR matrix of ``x`` (for fitting only)."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    return csr_matrix((x[2], (x[0], x[1])), shape=(n_rows, n_cols))
