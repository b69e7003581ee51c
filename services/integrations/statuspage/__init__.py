"""Statuspage: publish an incident on the public status page, update and resolve it."""
