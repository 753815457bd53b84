"""Checks on individual Fargate tasks: how they stopped, what they run, what they got."""
