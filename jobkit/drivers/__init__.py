"""The two drivers: they send requests, wait and schedule; ``jobkit.core`` decides."""
