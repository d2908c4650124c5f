"""An org's active calendars for one dispatch run: read unopened, each opened at most once, when needed.

The dispatcher needs every calendar's kind and lead time each minute but a calendar's email
(sealed) only when it has a button to send or a notice to correct for it: a run that finds
every button sent opens none. A principal repository without unopened heads
(``shared.ports.principal_heads``) is read whole once instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.domain.principals import Principal
from shared.ports.principal_heads import PrincipalHead, PrincipalHeads
from shared.ports.stores import PrincipalRepository


class Calendars:
    """The active principals of one org for one run, by id."""

    def __init__(self, principals: PrincipalRepository, org_id: str) -> None:
        self._org_id = org_id
        self._opened: dict[str, Principal] = {}
        self._reader = principals if isinstance(principals, PrincipalHeads) else None
        if self._reader is not None:
            heads = self._reader.active_principal_heads(org_id)
        else:
            whole = principals.list_principals(org_id, active_only=True)
            self._opened = {p.id: p for p in whole}
            heads = [PrincipalHead(p.id, p.kind, p.join_lead_override) for p in whole]
        self._heads = {h.id: h for h in heads}

    def heads(self) -> Iterable[PrincipalHead]:
        """Every active calendar, unopened."""
        return self._heads.values()

    def head(self, principal_id: str) -> PrincipalHead | None:
        """One active calendar, unopened; None when it is not active."""
        return self._heads.get(principal_id)

    def open(self, principal_id: str) -> Principal | None:
        """One active calendar, opened (once per run); None when it is not active."""
        found = self._opened.get(principal_id)
        if found is not None:
            return found
        head = self._heads.get(principal_id)
        if head is None or self._reader is None:
            return None
        found = self._opened[principal_id] = self._reader.open_principal(self._org_id, head)
        return found
