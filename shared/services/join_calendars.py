"""An org's active calendars for one dispatch run: read unopened, each opened at most once, when needed.

The dispatcher needs every calendar's kind and lead time each minute but a calendar's email
(sealed) only when it has a button to send or a notice to correct for it: a run that finds
every button sent opens none.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.domain.principals import Principal
from shared.ports.principal_heads import PrincipalHead
from shared.ports.stores import PrincipalRepository


class Calendars:
    """The active principals of one org for one run, by id."""

    def __init__(self, principals: PrincipalRepository, org_id: str) -> None:
        self._org_id = org_id
        self._opened: dict[str, Principal] = {}
        self._reader = principals
        self._heads = {h.id: h for h in principals.active_principal_heads(org_id)}

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
        if head is None:
            return None
        found = self._opened[principal_id] = self._reader.open_principal(self._org_id, head)
        return found
