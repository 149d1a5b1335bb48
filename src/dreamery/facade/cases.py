"""The facade's cases and their participants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from dreamery.cases import service as cases
from dreamery.cases.schemas import (
    CaseCreate,
    CaseFilters,
    CaseRead,
    CaseSort,
    CaseUpdate,
    ParticipantCreate,
    ParticipantFilters,
    ParticipantRead,
    ParticipantSort,
    ParticipantUpdate,
)
from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models.enums import CaseStatus

CASES, PARTICIPANTS = cases.CASES, cases.PARTICIPANTS


class CasesFacade(FacadeBase):
    async def create_case(self, data: CaseCreate | Mapping[str, object]) -> CaseRead:
        """A new case of the acting user's organization, with them taking part in it."""
        return await self.create(CASES, data)

    async def find_case_by_id(
        self, case_id: EntityId, *, include_deleted: bool = False
    ) -> CaseRead:
        return await self.get(CASES, case_id, include_deleted=include_deleted)

    async def find_cases(
        self,
        *,
        sort: CaseSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        include_deleted: bool = False,
        **filters: Unpack[CaseFilters],
    ) -> Page[CaseRead]:
        return await self.find(
            CASES,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
            include_deleted=include_deleted,
        )

    async def update_case(
        self,
        case_id: EntityId,
        data: CaseUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> CaseRead:
        return await self.update(CASES, case_id, data, expected_version=expected_version)

    async def change_case_status(
        self,
        case_id: EntityId,
        status: CaseStatus | str,
        *,
        expected_version: int | None = None,
    ) -> CaseRead:
        return await self.perform(
            CASES,
            cases.change_case_status,
            case_id,
            {"status": status, "version": expected_version},
        )

    async def delete_case(
        self, case_id: EntityId, *, expected_version: int | None = None
    ) -> CaseRead:
        return await self.delete(CASES, case_id, expected_version=expected_version)

    async def restore_case(self, case_id: EntityId) -> CaseRead:
        return await self.restore(CASES, case_id)

    async def purge_case(self, case_id: EntityId) -> None:
        await self.purge(CASES, case_id)

    async def create_case_participant(
        self, data: ParticipantCreate | Mapping[str, object]
    ) -> ParticipantRead:
        """Someone, of any organization, takes part in a case; they are notified."""
        return await self.create(PARTICIPANTS, data)

    async def find_case_participant_by_id(self, participant_id: EntityId) -> ParticipantRead:
        return await self.get(PARTICIPANTS, participant_id)

    async def find_case_participants(
        self,
        *,
        sort: ParticipantSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[ParticipantFilters],
    ) -> Page[ParticipantRead]:
        return await self.find(
            PARTICIPANTS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_case_participant(
        self,
        participant_id: EntityId,
        data: ParticipantUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> ParticipantRead:
        return await self.update(
            PARTICIPANTS, participant_id, data, expected_version=expected_version
        )

    async def delete_case_participant(
        self, participant_id: EntityId, *, expected_version: int | None = None
    ) -> ParticipantRead:
        return await self.delete(PARTICIPANTS, participant_id, expected_version=expected_version)
