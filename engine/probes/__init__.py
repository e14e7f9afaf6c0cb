"""Automated probes that measure a target (see ``registry`` for the list)."""
