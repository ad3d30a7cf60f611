"""Organisations as Mesa agents: associations (and, later, firms, institutes, funders)."""
