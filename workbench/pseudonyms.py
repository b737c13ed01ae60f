"""Annotators as the store keeps them: a Label Studio user (by server and user id, or by
email when seen through another server or export) becomes one row with a store-wide pseudonym
(`annotator-01`, …), the only name every stage after pull sees (README, "Pull")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.annotation.tasks import AnnotationRecord
from workbench.store import Annotator

_PSEUDONYM = re.compile(r"^annotator-(\d+)$")


def resolve(
    session: Session,
    annotations: Iterable[AnnotationRecord],
    *,
    server: str,
    email_of: Callable[[int], str | None],
    now: datetime,
) -> dict[int, Annotator]:
    """Label Studio user id → annotator row; new people get the next pseudonyms in order of
    first annotation (creation time, then id), whatever order the tasks came in."""
    first: dict[int, AnnotationRecord] = {}
    for ann in sorted(
        (a for a in annotations if a.user_id is not None),
        key=lambda a: (a.created_at is None, a.created_at or now, a.ls_id),
    ):
        assert ann.user_id is not None
        first.setdefault(ann.user_id, ann)
    if not first:
        return {}
    known = {
        a.ls_user_id: a
        for a in session.scalars(
            select(Annotator).where(
                Annotator.label_studio_url == server,
                Annotator.ls_user_id.in_(list(first)),
            )
        )
    }
    out: dict[int, Annotator] = {}
    next_number: int | None = None
    for user_id, ann in first.items():
        row = known.get(user_id)
        email = ann.email
        if row is None or (row.email is None and email is None):
            email = email or email_of(user_id)
        if row is None and email:
            # the same person seen through another server or export
            row = session.scalars(select(Annotator).where(Annotator.email == email)).first()
        if row is None:
            if next_number is None:
                numbers = [
                    int(m.group(1))
                    for p in session.scalars(select(Annotator.pseudonym))
                    if (m := _PSEUDONYM.match(p))
                ]
                next_number = max(numbers, default=0) + 1
            row = Annotator(
                label_studio_url=server,
                ls_user_id=user_id,
                email=email,
                pseudonym=f"annotator-{next_number:02d}",
            )
            next_number += 1
            session.add(row)
            session.flush()
        elif row.email is None and email:
            row.email = email
        out[user_id] = row
    return out
