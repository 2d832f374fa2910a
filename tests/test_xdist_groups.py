"""Tests that share the Redis broker run in one pytest-xdist process."""

import pytest


@pytest.mark.services("redis")
def test_a_redis_test_runs_in_the_redis_group(request):
    if not request.config.pluginmanager.hasplugin("xdist") or not getattr(
        request.config, "workerinput", None
    ):
        pytest.skip("runs only under pytest-xdist, where the group matters")
    assert request.config.getvalue("loadgroup") or request.config.getvalue("dist") == "loadgroup"
    # xdist names a grouped test "<nodeid>@<group>" and sends each group to one process.
    assert request.node.nodeid.endswith("@redis")
