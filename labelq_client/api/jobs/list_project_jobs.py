from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.job_page import JobPage
from ...models.list_project_jobs_kind_type_0 import (
    ListProjectJobsKindType0,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    *,
    kind: ListProjectJobsKindType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, str):
        json_kind = kind
    else:
        json_kind = kind
    params["kind"] = json_kind

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/projects/{project_id}/jobs".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | JobPage | None:
    if response.status_code == 200:
        response_200 = JobPage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = ErrorOut.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorOut.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorOut.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | JobPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    kind: ListProjectJobsKindType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Response[ErrorOut | JobPage]:
    """List Project Jobs

     The project's jobs, newest first (``kind`` to filter: e.g. ``simulate`` for its
    simulations, ``train`` for its trainings); shard jobs are parts of their round's job.

    Args:
        project_id (int): a row id
        kind (ListProjectJobsKindType0 | None | Unset):
        limit (int | Unset): page size (at most 1000) Default: 50.
        offset (int | Unset): rows to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | JobPage]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        kind=kind,
        limit=limit,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: int,
    *,
    client: AuthenticatedClient,
    kind: ListProjectJobsKindType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> ErrorOut | JobPage | None:
    """List Project Jobs

     The project's jobs, newest first (``kind`` to filter: e.g. ``simulate`` for its
    simulations, ``train`` for its trainings); shard jobs are parts of their round's job.

    Args:
        project_id (int): a row id
        kind (ListProjectJobsKindType0 | None | Unset):
        limit (int | Unset): page size (at most 1000) Default: 50.
        offset (int | Unset): rows to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | JobPage
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        kind=kind,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    kind: ListProjectJobsKindType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Response[ErrorOut | JobPage]:
    """List Project Jobs

     The project's jobs, newest first (``kind`` to filter: e.g. ``simulate`` for its
    simulations, ``train`` for its trainings); shard jobs are parts of their round's job.

    Args:
        project_id (int): a row id
        kind (ListProjectJobsKindType0 | None | Unset):
        limit (int | Unset): page size (at most 1000) Default: 50.
        offset (int | Unset): rows to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | JobPage]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        kind=kind,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    *,
    client: AuthenticatedClient,
    kind: ListProjectJobsKindType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> ErrorOut | JobPage | None:
    """List Project Jobs

     The project's jobs, newest first (``kind`` to filter: e.g. ``simulate`` for its
    simulations, ``train`` for its trainings); shard jobs are parts of their round's job.

    Args:
        project_id (int): a row id
        kind (ListProjectJobsKindType0 | None | Unset):
        limit (int | Unset): page size (at most 1000) Default: 50.
        offset (int | Unset): rows to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | JobPage
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            kind=kind,
            limit=limit,
            offset=offset,
        )
    ).parsed
