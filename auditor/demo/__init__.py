"""``auditor scan --demo``: a seeded moto estate scanned by the real pipeline."""

from auditor.demo.estate import DemoEstate, apply_changes, seed_estate
from auditor.demo.server import DemoMoto

__all__ = ["DemoEstate", "DemoMoto", "apply_changes", "seed_estate"]
