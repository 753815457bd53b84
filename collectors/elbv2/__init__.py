"""ELBv2 collectors."""
