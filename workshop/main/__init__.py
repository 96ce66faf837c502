"""The routes that belong to no feature: health checks, the language switch, the home page."""
