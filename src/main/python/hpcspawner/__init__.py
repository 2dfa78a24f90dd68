"""JupyterHub spawner plugin that delegates to the hpcspawner REST service."""

from .client import ServiceClient, ServiceError
from .spawner import HPCSpawnError, HPCSpawner

__version__ = "0.1.0"

__all__ = ["HPCSpawner", "HPCSpawnError", "ServiceClient", "ServiceError", "__version__"]
