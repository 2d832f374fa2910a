"""A signed-in user's permissions and roles, read from the shared cache instead of three queries.

Every page asks who the user is allowed to be: the role gate reads their
groups, the top bar and the need-to-know rule their permissions (two joins).
That is three queries and about a tenth of a page's time (issue 16's load
run), for answers that change only when an administrator changes a grant.

So the answers are kept in the cache, under a generation that every change of
a grant replaces (the signals below, on the change and again after its
commit), so that a revoked role stops working on the next request, not when
an entry expires. ``is_active``, ``is_staff`` and ``is_superuser`` are read
from the user row on every request as before; only group membership and
permissions are cached. Entries also expire after ``GRANTS_CACHE_SECONDS``.

Only a cache that every process shares may hold them (Redis): with a
per-process cache, a change made in one web process would not reach the
others, so ``GRANTS_CACHE_SECONDS`` is 0 (no caching) without ``REDIS_URL``.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from breachdesk.models import User

GENERATION_KEY = "grants:generation"


@dataclass(frozen=True)
class Grants:
    """What one user holds: ``permissions`` as ``"app_label.codename"``, ``groups`` by name."""

    permissions: frozenset[str]
    groups: frozenset[str]


def _read(user) -> Grants:
    backend = ModelBackend()
    return Grants(
        permissions=frozenset(
            backend.get_user_permissions(user) | backend.get_group_permissions(user)
        ),
        groups=frozenset(user.groups.values_list("name", flat=True)),
    )


def grants_of(user) -> Grants:
    """``user``'s grants, from the cache when it holds the current generation's entry.

    One cache round trip when it does; the two permission queries and the
    group query (then stored) when it does not. Only with caching on
    (``GRANTS_CACHE_SECONDS``). Kept on the user object for the rest of the
    request.
    """
    cached = getattr(user, "_grants", None)
    if cached is not None:
        return cached
    key = f"grants:user:{user.pk}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    entry = found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        grants = entry[1]
    else:
        if generation is None:
            generation = new_generation()
        grants = _read(user)
        cache.set(key, (generation, grants), settings.GRANTS_CACHE_SECONDS)
    user._grants = grants
    return grants


def group_names(user) -> frozenset[str]:
    """The names of ``user``'s groups: from ``grants_of`` with caching on, else one query.

    Without caching only the groups are read, not the permissions as well,
    and they are kept on the user object for the rest of the request.
    """
    if settings.GRANTS_CACHE_SECONDS:
        return grants_of(user).groups
    cached = getattr(user, "_group_names", None)
    if cached is None:
        cached = user._group_names = frozenset(user.groups.values_list("name", flat=True))
    return cached


def new_generation() -> str:
    """Start a new generation of cached grants: every entry stored before is stale."""
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def forget_all_grants() -> None:
    """Make every cached entry stale: now, and again once the current transaction commits.

    The second time covers a request that read the old grants between the
    change and its commit and stored them under the new generation.
    """
    if not settings.GRANTS_CACHE_SECONDS:
        return
    new_generation()
    transaction.on_commit(new_generation)


class CachedGrantsBackend(ModelBackend):
    """``ModelBackend`` answering permission checks from ``grants_of``; it checks no password.

    Listed before ``ModelBackend``: it leaves the permission set where
    ``ModelBackend`` looks for its own (``user._perm_cache``), so that one
    answers from it too without a query. Passwords stay ``ModelBackend``'s to
    check; loading the signed-in user and the rules for inactive users and
    superusers are Django's (docs: "Handling authorization in custom
    backends", https://docs.djangoproject.com/en/stable/topics/auth/customizing/).
    """

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        # Without caching, ModelBackend (next in the list) reads them as Django does.
        if not settings.GRANTS_CACHE_SECONDS:
            return set()
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(grants_of(user_obj).permissions)
        return user_obj._perm_cache


# Django's own relations between users, groups and permissions; any change to
# them changes what someone may do.
@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(post_save, sender=Group)
@receiver(post_delete, sender=Group)
@receiver(post_save, sender=Permission)
@receiver(post_delete, sender=Permission)
def _grants_changed(**kwargs) -> None:
    forget_all_grants()
