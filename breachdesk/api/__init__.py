"""The REST API's shared parts: tokens, authentication, throttles, errors, the URLconf.

The resources themselves live beside their pages (``incidents/api.py``,
``vendors/api.py``) and call the same services and gates.
"""
