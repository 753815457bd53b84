"""The reachability evaluator shared by the path checks (see ``network.NetworkView``)."""

from checks.reachability.model import Hop, Path, Reachability, Source
from checks.reachability.network import Destination, NetworkView

__all__ = ["Destination", "Hop", "NetworkView", "Path", "Reachability", "Source"]
