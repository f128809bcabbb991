"""Vectorised MinHash over character shingles, and LSH banding.

Same estimator as datasketch's MinHash (the share of equal minimum hash values
estimates the Jaccard similarity of the shingle sets), computed for a whole
batch with numpy: the texts' code points are hashed as k-grams with a
polynomial rolling hash in one pass over the batch, mixed (splitmix64) to 32
bits, permuted with ``a*h + b mod 2**32`` (a odd: a bijection, one per
permutation) and reduced per document with ``np.minimum.reduceat``.
benchmarks/textdup.py prints its rate beside datasketch's MinHash.bulk, and
tests check its estimates against exact Jaccard similarities.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
SHINGLE = 5
SEED = 20261128
U64 = np.uint64
CHUNK_SHINGLES = 16_384  # (NUM_PERM x chunk) uint32 work matrix: 8 MB

_rng = np.random.default_rng(SEED)
_A = _rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
_B = _rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
_POWERS = np.array(
    [pow(1_000_003, SHINGLE - 1 - j, 2**64) for j in range(SHINGLE)], dtype=np.uint64
)

Signature = npt.NDArray[np.uint32]
Hashes = npt.NDArray[np.uint32]


def _mix(h: npt.NDArray[np.uint64]) -> Hashes:
    """splitmix64 finaliser, keeping the high 32 bits."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> U64(27))) * U64(0x94D049BB133111EB)
    return ((h ^ (h >> U64(31))) >> U64(32)).astype(np.uint32)


def _rolling(codes: npt.NDArray[np.uint64], k: int) -> npt.NDArray[np.uint64]:
    n = len(codes) - k + 1
    powers = _POWERS[SHINGLE - k :]
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h += codes[j : j + n] * powers[j]
    return h


def _codes(text: str) -> npt.NDArray[np.uint64]:
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return raw.astype(np.uint64)


def shingle_hashes(text: str) -> Hashes:
    """32-bit hashes of the text's character k-grams (the whole text if shorter)."""
    if not text:
        return np.empty(0, dtype=np.uint32)
    return _mix(_rolling(_codes(text), min(SHINGLE, len(text))))


def batch_shingle_hashes(texts: Sequence[str]) -> list[Hashes]:
    """``shingle_hashes`` of every text, computed in one numpy pass over the batch."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    if not len(texts) or lengths.sum() < SHINGLE:
        return [shingle_hashes(t) for t in texts]
    mixed = _mix(_rolling(_codes("".join(texts)), SHINGLE))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    out = []
    for text, start, length in zip(texts, starts.tolist(), lengths.tolist(), strict=True):
        if length >= SHINGLE:
            out.append(mixed[start : start + length - SHINGLE + 1])
        else:
            out.append(shingle_hashes(text))
    return out


def _groups(hashes: Sequence[Hashes]) -> Iterator[tuple[int, int]]:
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
    hashes = batch_shingle_hashes(texts)
    out: list[Signature | None] = []
    for lo, hi in _groups(hashes):
        out.extend(_signatures(hashes[lo:hi]))
    return out


def _signatures(hashes: Sequence[Hashes]) -> list[Signature | None]:
    sizes = np.array([len(h) for h in hashes])
    out: list[Signature | None] = [None] * len(hashes)
    nonempty = np.flatnonzero(sizes)
    if not len(nonempty):
        return out
    flat = np.concatenate([hashes[int(i)] for i in nonempty])
    starts = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
    permuted = flat[None, :] * _A[:, None]
    permuted += _B[:, None]
    mins = np.minimum.reduceat(permuted, starts, axis=1)
    for col, index in enumerate(nonempty.tolist()):
        out[index] = np.ascontiguousarray(mins[:, col])
    return out


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


_BAND_MUL = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sigs: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.int64]:
    """LSH bucket keys: one signed 64-bit key per (signature, band), band index mixed in.

    ``sigs``: shape (n, NUM_PERM). Two signatures share a key in a band when their
    ``rows`` values there are equal (up to 64-bit hash collisions).
    """
    n = len(sigs)
    values = sigs[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _BAND_MUL, (n, bands))
        for j in range(rows):
            h = _splitmix((h ^ values[:, :, j]) * _BAND_MUL)
    return h.view(np.int64)


def _splitmix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        h = (h ^ (h >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> U64(27))) * U64(0x94D049BB133111EB)
    return h ^ (h >> U64(31))


def encode(sig: Signature) -> str:
    return base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> Signature:
    return np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)
