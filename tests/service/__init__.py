"""`actionbot run` as a service: signals, the HTTP server, probes, metrics, logs, several instances."""
