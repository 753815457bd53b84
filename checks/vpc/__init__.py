"""Checks on the VPCs that host running Fargate tasks."""
