"""The incident views, one module per part of the work (as the services are split).

The URLconf names each view by its module, e.g. ``workflow.incident_advance_phase``.
"""
