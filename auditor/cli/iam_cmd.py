"""``auditor iam-policy``: print the minimal read-only IAM policy the auditor needs."""

from __future__ import annotations

import json

from auditor.cli.options import output_options
from collectors.registry import iam_policy


@output_options()
def iam_policy_command() -> None:
    """Print the IAM policy document (JSON) for the role the auditor runs as."""
    print(json.dumps(iam_policy(), indent=2))
