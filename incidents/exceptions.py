class TransitionNotAllowed(Exception):
    """A workflow move that the phase order does not allow (a jump, or going back)."""


class NothingChanged(Exception):
    """An action that would change nothing (already done, or nothing to do): nothing is written.

    Its message says what stands and why, in a responder's words; pages show
    it as a notice, not an error.
    """
