"""The four account-regions of the demo estate, designed like a real company's.

``acme-prod`` (the caller's account) runs payments and identity in us-east-1 and an
endpoint-only ledger platform in eu-west-1; ``acme-data`` (reached by AssumeRole) runs a data
pipeline in us-east-1 and a dual-stack edge in eu-west-1. ``auditor.demo.coverage`` lists
which check each piece is meant to exercise.
"""

from auditor.demo.sites.data import data_eu_west_1, data_us_east_1
from auditor.demo.sites.prod_eu_west_1 import prod_eu_west_1
from auditor.demo.sites.prod_us_east_1 import prod_us_east_1
from auditor.demo.sites.refs import NatRef, TaskLaunch, TaskRef, VpcRef

__all__ = [
    "NatRef",
    "TaskLaunch",
    "TaskRef",
    "VpcRef",
    "data_eu_west_1",
    "data_us_east_1",
    "prod_eu_west_1",
    "prod_us_east_1",
]
