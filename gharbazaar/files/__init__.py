"""Files: GridFS storage (the dyno's disk is ephemeral), content checks, signed links."""
