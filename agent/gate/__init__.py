"""What every request passes before a route sees it: size, authentication, NUL-free text."""
