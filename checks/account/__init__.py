"""Checks on account-wide and region-wide settings."""
