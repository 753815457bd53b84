"""IAM collectors (global: run once per account)."""
