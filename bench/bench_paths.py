"""The routes the harness calls on the service and on the stand-ins, in one place."""

SLURM_JOB = "/slurm/v0.0.38/job/{id}"
SLURM_JOBS = "/slurm/v0.0.38/jobs"
FIRECREST_JOB = "/compute/daint/jobs/{id}"
FIRECREST_JOBS = "/compute/daint/jobs"
SERVER = "/api/v1/users/{user}/servers/{name}"
CALLBACK = "/api/v1/callback/{id}"
ALL_SERVERS = "/api/v1/servers"
