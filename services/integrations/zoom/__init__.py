"""Zoom: a meeting for every new incident (or the static meeting link from config.yaml)."""
