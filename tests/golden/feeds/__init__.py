"""Golden files for the feed reader: structure + SHA-256 of text, never the text itself."""
