"""The Calendar v3 ACL rule resource (``acl.list`` items, the ``acl.insert`` body) to and from :class:`AccessRule`.

``rule_to_api`` writes a rule over the resource it was read from: fields the mapper does not know
and the ``etag`` stay as Google sent them, and only the role and scope are written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from shared.ports.calendar import AccessRule


def rule_from_api(resource: Mapping[str, Any]) -> AccessRule:
    """Read one ACL rule (an id Google left out is ``<type>:<value>``, as Google forms it)."""
    found = resource.get("scope")
    scope: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    kind = str(scope.get("type") or "")
    value = str(scope.get("value") or "").lower() or None
    rule_id = str(resource.get("id") or "") or (f"{kind}:{value}" if value else kind)
    etag = resource.get("etag")
    return AccessRule(rule_id, str(resource.get("role") or ""), kind, value, str(etag) if etag else None)


def rule_to_api(rule: AccessRule, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The rule as a resource: ``base`` (what was read, if any) with the role and scope written back."""
    out: dict[str, Any] = copy.deepcopy(dict(base or {}))
    if rule.rule_id and not out.get("id") and base is not None:
        out["id"] = rule.rule_id
    if rule.etag and not out.get("etag"):
        out["etag"] = rule.etag
    out["role"] = rule.role
    scope = dict(out.get("scope") or {})
    scope["type"] = rule.scope_type
    if rule.scope_value is not None:
        if str(scope.get("value") or "").lower() != rule.scope_value:
            scope["value"] = rule.scope_value
    else:
        scope.pop("value", None)
    out["scope"] = scope
    return out


def user_rule(email: str, role: str) -> AccessRule:
    """A new rule granting ``role`` to one person (Google gives it the id ``user:<email>``)."""
    return AccessRule(f"user:{email.lower()}", role, "user", email.lower())
