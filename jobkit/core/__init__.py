"""jobkit core: every decision, no I/O."""
