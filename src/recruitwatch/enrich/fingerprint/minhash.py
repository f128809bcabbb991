"""Vectorised MinHash over character shingles, and LSH banding.

Same estimator as datasketch's MinHash (the share of equal minimum hash values
estimates the Jaccard similarity of the shingle sets), computed for a whole
batch with numpy: shingles are hashed with a polynomial rolling hash over code
points, permuted with multiply-shift hashing, and reduced per document with
``np.minimum.reduceat``. benchmarks/textdup.py measures it against
datasketch's MinHash.bulk (and tests check that the estimates agree).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
SHINGLE = 5
SEED = 20261128
U64 = np.uint64
MASK32 = U64(0xFFFFFFFF)
EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)

_rng = np.random.default_rng(SEED)
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) << U64(1)) | U64(1)  # odd
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_POWERS = np.array([pow(1_000_003, SHINGLE - 1 - j, 2**64) for j in range(SHINGLE)],
                   dtype=np.uint64)

Signature = npt.NDArray[np.uint32]


def _mix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the rolling hash over all bits."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> U64(27))) * U64(0x94D049BB133111EB)
    return h ^ (h >> U64(31))


def shingle_hashes(text: str) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the text's character k-grams (the whole text if shorter)."""
    if not text:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    k = min(SHINGLE, len(codes))
    n = len(codes) - k + 1
    powers = _POWERS[SHINGLE - k :]
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h += codes[j : j + n] * powers[j]
    return _mix(h)


CHUNK_SHINGLES = 32_768  # bounds the (NUM_PERM x shingles) work matrix to ~32 MB


def _groups(hashes: Sequence[npt.NDArray[np.uint64]]) -> Iterator[tuple[int, int]]:
    start, total = 0, 0
    for i, h in enumerate(hashes):
        if total and total + len(h) > CHUNK_SHINGLES:
            yield start, i
            start, total = i, 0
        total += len(h)
    if start < len(hashes):
        yield start, len(hashes)


def signatures(texts: Sequence[str]) -> list[Signature | None]:
    """MinHash signatures (NUM_PERM uint32) for a batch; None for empty texts."""
    hashes = [shingle_hashes(t) for t in texts]
    out: list[Signature | None] = []
    for lo, hi in _groups(hashes):
        out.extend(_signatures(hashes[lo:hi]))
    return out


def _signatures(hashes: Sequence[npt.NDArray[np.uint64]]) -> list[Signature | None]:
    sizes = np.array([len(h) for h in hashes])
    out: list[Signature | None] = [None] * len(hashes)
    nonempty = np.flatnonzero(sizes)
    if not len(nonempty):
        return out
    flat = np.concatenate([hashes[int(i)] for i in nonempty])
    starts = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
    with np.errstate(over="ignore"):
        permuted = ((flat[None, :] * _A[:, None] + _B[:, None]) >> U64(32)).astype(np.uint32)
    mins = np.minimum.reduceat(permuted, starts, axis=1)
    for col, index in enumerate(nonempty):
        out[index] = np.ascontiguousarray(mins[:, col])
    return out


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def bands(sig: Signature, rows: int) -> list[str]:
    """LSH bucket keys, one per band of ``rows`` values (hex digests, compact)."""
    raw = sig.tobytes()
    step = rows * 4
    count = len(sig) // rows
    return [hashlib.blake2b(raw[i * step : (i + 1) * step], digest_size=8).hexdigest()
            for i in range(count)]


def encode(sig: Signature) -> str:
    return base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> Signature:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)
