"""Weekly digests: what a digest holds (content), when it goes out (schedule), how it looks in
each destination (render_*), how it travels (delivery) and how it goes out exactly once (sender).

Nothing here imports slack_sdk or matplotlib at module level.
"""
