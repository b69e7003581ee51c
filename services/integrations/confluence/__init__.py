"""Confluence: a postmortem page for every resolved incident."""
