from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.item_page import ItemPage
from ...models.list_items_domain_type_0 import (
    ListItemsDomainType0,
)
from ...models.list_items_split_type_0 import (
    ListItemsSplitType0,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    *,
    domain: ListItemsDomainType0 | None | Unset = UNSET,
    split: ListItemsSplitType0 | None | Unset = UNSET,
    labeled: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_domain: None | str | Unset
    if isinstance(domain, Unset):
        json_domain = UNSET
    elif isinstance(domain, str):
        json_domain = domain
    else:
        json_domain = domain
    params["domain"] = json_domain

    json_split: None | str | Unset
    if isinstance(split, Unset):
        json_split = UNSET
    elif isinstance(split, str):
        json_split = split
    else:
        json_split = split
    params["split"] = json_split

    json_labeled: bool | None | Unset
    if isinstance(labeled, Unset):
        json_labeled = UNSET
    else:
        json_labeled = labeled
    params["labeled"] = json_labeled

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/projects/{project_id}/items".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ItemPage | None:
    if response.status_code == 200:
        response_200 = ItemPage.from_dict(response.json())

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
) -> Response[ErrorOut | ItemPage]:
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
    domain: ListItemsDomainType0 | None | Unset = UNSET,
    split: ListItemsSplitType0 | None | Unset = UNSET,
    labeled: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> Response[ErrorOut | ItemPage]:
    """List Items

     Page through items, filtered by domain, split and whether they carry a label.

    Args:
        project_id (int): a row id
        domain (ListItemsDomainType0 | None | Unset):
        split (ListItemsSplitType0 | None | Unset):
        labeled (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ItemPage]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        domain=domain,
        split=split,
        labeled=labeled,
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
    domain: ListItemsDomainType0 | None | Unset = UNSET,
    split: ListItemsSplitType0 | None | Unset = UNSET,
    labeled: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> ErrorOut | ItemPage | None:
    """List Items

     Page through items, filtered by domain, split and whether they carry a label.

    Args:
        project_id (int): a row id
        domain (ListItemsDomainType0 | None | Unset):
        split (ListItemsSplitType0 | None | Unset):
        labeled (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ItemPage
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        domain=domain,
        split=split,
        labeled=labeled,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    domain: ListItemsDomainType0 | None | Unset = UNSET,
    split: ListItemsSplitType0 | None | Unset = UNSET,
    labeled: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> Response[ErrorOut | ItemPage]:
    """List Items

     Page through items, filtered by domain, split and whether they carry a label.

    Args:
        project_id (int): a row id
        domain (ListItemsDomainType0 | None | Unset):
        split (ListItemsSplitType0 | None | Unset):
        labeled (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ItemPage]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        domain=domain,
        split=split,
        labeled=labeled,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    *,
    client: AuthenticatedClient,
    domain: ListItemsDomainType0 | None | Unset = UNSET,
    split: ListItemsSplitType0 | None | Unset = UNSET,
    labeled: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> ErrorOut | ItemPage | None:
    """List Items

     Page through items, filtered by domain, split and whether they carry a label.

    Args:
        project_id (int): a row id
        domain (ListItemsDomainType0 | None | Unset):
        split (ListItemsSplitType0 | None | Unset):
        labeled (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ItemPage
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            domain=domain,
            split=split,
            labeled=labeled,
            limit=limit,
            offset=offset,
        )
    ).parsed
