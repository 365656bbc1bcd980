"""Running article6 for real: the production server (`article6 serve`), the health and
readiness checks, the request log."""
