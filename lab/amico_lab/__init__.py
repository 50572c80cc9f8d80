"""The project's test lab: podman containers built from the project's own recipe."""
