"""Notifications rendered from the store: Slack incoming webhooks and the weekly email."""
