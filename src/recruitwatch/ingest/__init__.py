"""Readers, one per input format. Each yields raw records and normalises them purely."""

from .base import RawRecord, Reader, detect_reader, readers

__all__ = ["RawRecord", "Reader", "detect_reader", "readers"]
