"""Renderers: HTML, JSON, CSV, OCSF and text, from stored scans and their findings."""
