"""Fault injection: error rates, deterministic failures, latency, quotas and push faults.

Rules are keyed by a Google method id (``calendar.events.list``) or ``*`` for every Calendar
and Gmail method (``oauth2.token`` only gets faults from a rule naming it). A call first
consumes the method's ``failNext`` list, then ``*``'s, then meets the per-user quota, then
the random rates, drawn from one seeded RNG so runs repeat.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.errors import ApiError, backend_error, rate_limited

_RATE_FIELDS = ("rate429", "rate403RateLimit", "rate403UserRateLimit", "rate500", "rate503")
_FLOAT_FIELDS = (*_RATE_FIELDS, "syncTokenInvalidRate", "pushDropRate", "pushDuplicateRate")
_KNOWN = {
    *_FLOAT_FIELDS,
    "operation",
    "latencyMs",
    "failNext",
    "retryAfter",
    "quotaPerUserPerMinute",
    "quotaStatus",
    "seed",
    "invalidateSyncTokens",
}
_FAIL_CODES = {
    "429": (429, "rateLimitExceeded"),
    "403": (403, "rateLimitExceeded"),
    "403-ratelimitexceeded": (403, "rateLimitExceeded"),
    "403-userratelimitexceeded": (403, "userRateLimitExceeded"),
    "500": (500, "backendError"),
    "503": (503, "backendError"),
}


def _failure(token: str, retry_after: int | None) -> ApiError:
    code, reason = _FAIL_CODES[token]
    if code in (500, 503):
        return backend_error(code, retry_after)
    return rate_limited(code, reason, retry_after)


@dataclass(slots=True)
class FaultRule:
    """The faults configured for one operation (or ``*``)."""

    operation: str
    rates: dict[str, float] = field(default_factory=dict)
    latency_ms: int = 0
    fail_next: deque[str] = field(default_factory=deque)
    retry_after: int | None = None
    quota_per_minute: int | None = None
    quota_status: int = 403

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> FaultRule:
        """Build a rule from the control plane's JSON; raise ``ValueError`` when it is bad."""
        unknown = set(spec) - _KNOWN
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        operation = spec.get("operation", "*")
        if not isinstance(operation, str) or not operation:
            raise ValueError("operation must be a method id or '*'")
        rule = cls(operation=operation)
        for name in _FLOAT_FIELDS:
            if name in spec:
                value = float(spec[name])
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{name} must be between 0 and 1")
                rule.rates[name] = value
        rule.latency_ms = int(spec.get("latencyMs", 0))
        for item in spec.get("failNext", []):
            token = str(item).lower()
            if token not in _FAIL_CODES:
                raise ValueError(f"failNext entries must be one of {sorted(_FAIL_CODES)}")
            rule.fail_next.append(token)
        if spec.get("retryAfter") is not None:
            rule.retry_after = int(spec["retryAfter"])
        if spec.get("quotaPerUserPerMinute") is not None:
            rule.quota_per_minute = int(spec["quotaPerUserPerMinute"])
        rule.quota_status = int(spec.get("quotaStatus", 403))
        if rule.quota_status not in (403, 429):
            raise ValueError("quotaStatus must be 403 or 429")
        return rule

    def to_api(self) -> dict[str, Any]:
        """Render for ``GET /emulator/v1/faults``."""
        out: dict[str, Any] = {"operation": self.operation, **self.rates}
        out.update(
            latencyMs=self.latency_ms,
            failNext=list(self.fail_next),
            retryAfter=self.retry_after,
            quotaPerUserPerMinute=self.quota_per_minute,
            quotaStatus=self.quota_status,
        )
        return out


class FaultInjector:
    """Holds the rules and decides, per call, whether it fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}
        self._rng = random.Random(0)
        self._quota: dict[tuple[str, str, int], int] = {}

    def set_rule(self, spec: dict[str, Any]) -> FaultRule:
        """Install (replacing) the rule ``spec`` describes."""
        rule = FaultRule.parse(spec)
        with self._lock:
            if "seed" in spec:
                self._rng = random.Random(spec["seed"])
            self._rules[rule.operation] = rule
        return rule

    def clear(self) -> None:
        """Remove every rule and quota counter."""
        with self._lock:
            self._rules.clear()
            self._quota.clear()
            self._rng = random.Random(0)

    def rules(self) -> list[dict[str, Any]]:
        """Return the installed rules."""
        with self._lock:
            return [rule.to_api() for rule in self._rules.values()]

    def _applicable(self, operation: str) -> list[FaultRule]:
        rules = [self._rules[operation]] if operation in self._rules else []
        if operation != "oauth2.token" and operation != "*" and "*" in self._rules:
            rules.append(self._rules["*"])
        return rules

    def check(self, operation: str, subject: str, now: datetime) -> float:
        """Raise the injected error for this call, or return the latency to add (seconds)."""
        with self._lock:
            rules = self._applicable(operation)
            if not rules:
                return 0.0
            for rule in rules:
                if rule.fail_next:
                    raise _failure(rule.fail_next.popleft(), rule.retry_after)
            minute = int(now.timestamp() // 60)
            for rule in rules:
                if rule.quota_per_minute is None:
                    continue
                key = (rule.operation, subject, minute)
                count = self._quota.get(key, 0) + 1
                self._quota[key] = count
                if count > rule.quota_per_minute:
                    if rule.quota_status == 429:
                        raise rate_limited(429, "rateLimitExceeded", rule.retry_after)
                    raise rate_limited(403, "userRateLimitExceeded", rule.retry_after)
            for rule in rules:
                for name, token in (
                    ("rate429", "429"),
                    ("rate403RateLimit", "403-ratelimitexceeded"),
                    ("rate403UserRateLimit", "403-userratelimitexceeded"),
                    ("rate500", "500"),
                    ("rate503", "503"),
                ):
                    rate = rule.rates.get(name, 0.0)
                    if rate and self._rng.random() < rate:
                        raise _failure(token, rule.retry_after)
            return max(rule.latency_ms for rule in rules) / 1000.0

    def chance(self, operation: str, name: str) -> bool:
        """Draw whether the ``name`` rate (e.g. ``pushDropRate``) fires for ``operation``."""
        with self._lock:
            keys = [operation, "*"] if operation != "*" else ["*"]
            rate = max((self._rules[k].rates.get(name, 0.0) for k in keys if k in self._rules), default=0.0)
            return bool(rate) and self._rng.random() < rate
