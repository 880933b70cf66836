"""The one HTTP server of `actionbot run`: Slack, Teams, health, readiness and metrics."""
