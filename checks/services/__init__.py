"""Checks on ECS services."""
