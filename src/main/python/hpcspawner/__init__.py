"""JupyterHub spawner plugin that delegates to the hpcspawner REST service."""

from .client import ServiceClient, ServiceError
from .spawner import HPCSpawnError, HPCSpawner

try:  # the hub's route for stopping a queued start (only inside JupyterHub)
    from .hub_api import install as _install_hub_api
except ImportError:  # pragma: no cover - JupyterHub too old or absent
    _install_hub_api = None
if _install_hub_api is not None:
    _install_hub_api()

__version__ = "0.1.0"

__all__ = ["HPCSpawner", "HPCSpawnError", "ServiceClient", "ServiceError", "__version__"]
