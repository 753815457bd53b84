"""Checks that follow a task's network path to what it needs at start and while running."""
