"""Storage: the cassette and snapshot file formats, safe loading, and the one write path."""
