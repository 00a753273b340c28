"""The benchmark orchestrator: servers, seeding, load generators, measurement, reports."""
