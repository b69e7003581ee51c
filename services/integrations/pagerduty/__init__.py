"""PagerDuty: page on-call teams for an incident, list services and who is on call."""
