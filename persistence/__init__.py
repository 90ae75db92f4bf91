"""Where conversations are kept, configured from the environment."""
