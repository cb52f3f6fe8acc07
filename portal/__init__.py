"""The top floor: the home page and the operators' console, which read every app's selectors."""
