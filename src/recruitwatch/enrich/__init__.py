"""Enrichment: language and script, transliteration, entities, fingerprints, labels.

A chain of plug-in enrichers (``base.Enricher``) ordered by ``chain.Chain``.
"""
