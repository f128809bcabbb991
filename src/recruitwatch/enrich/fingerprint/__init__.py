"""Fingerprints of text and media for near-duplicate and known-material matching."""
