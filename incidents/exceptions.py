class TransitionNotAllowed(Exception):
    """A workflow move that the phase order does not allow (a jump, or going back)."""
