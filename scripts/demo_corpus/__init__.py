"""Building blocks of the synthetic demo corpus generator (scripts/make_demo_corpus.py).

Everything here is deterministic given a seed: one ``random.Random`` per concern,
fixed dates, bit-exact encoder flags. Nothing here is imported by the package.
"""
