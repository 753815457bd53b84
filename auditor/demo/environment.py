"""The demo's AWS: a seeded moto server, with the process's AWS settings aimed at it.

``auditor scan --demo`` and ``auditor serve --demo`` both run inside :func:`demo_aws`; the
AWS variables it changes are put back as they were when it exits.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.demo.estate import DemoEstate, seed_estate
from auditor.demo.server import DemoMoto

# Credentials that only the local moto server accepts: the demo must never reach real AWS,
# whatever the user's environment holds.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")
ENDPOINT = "AWS_ENDPOINT_URL"


@contextlib.contextmanager
def aws_environment(endpoint_url: str) -> Iterator[None]:
    """Demo credentials and ``endpoint_url`` for every AWS client, restored on exit."""
    saved = {name: os.environ.get(name) for name in (*CLEARED, *DEMO_ENVIRONMENT, ENDPOINT)}
    for name in CLEARED:
        os.environ.pop(name, None)
    os.environ.update(DEMO_ENVIRONMENT)
    os.environ[ENDPOINT] = endpoint_url
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class DemoAws:
    url: str
    estate: DemoEstate


@contextlib.contextmanager
def demo_aws() -> Iterator[DemoAws]:
    """A moto server seeded with the demo estate, the AWS environment aimed at it."""
    with DemoMoto() as moto, aws_environment(moto.url):
        yield DemoAws(url=moto.url, estate=seed_estate(moto.url))


DATABASE_ENV = "AUDITOR_DATABASE_URL"


def demo_folder() -> Path:
    """Where the demo keeps its store and the messages it received."""
    import platformdirs

    return Path(platformdirs.user_data_dir("auditor", appauthor=False)) / "demo"


def demo_database_url() -> str:
    """The demo's own SQLite store, unless AUDITOR_DATABASE_URL names one explicitly.

    A database_url from the configuration file is not used: the demo never writes its
    made-up accounts into the store of real scans.
    """
    explicit = os.environ.get(DATABASE_ENV)
    if explicit:
        return explicit
    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'demo.db'}"
