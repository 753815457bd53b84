"""CloudTrail collectors (optional: their failure never makes a scan partial)."""
