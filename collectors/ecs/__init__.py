"""ECS collectors: clusters, services, tasks, task definitions, account settings."""
