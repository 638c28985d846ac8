from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.round_out import RoundOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    round_id: int,
    *,
    selections_limit: int | Unset = 1000,
    after_rank: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["selections_limit"] = selections_limit

    json_after_rank: int | None | Unset
    if isinstance(after_rank, Unset):
        json_after_rank = UNSET
    else:
        json_after_rank = after_rank
    params["after_rank"] = json_after_rank

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/rounds/{round_id}".format(
            round_id=quote(str(round_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | RoundOut | None:
    if response.status_code == 200:
        response_200 = RoundOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

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

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())

        return response_409

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
) -> Response[ErrorOut | RoundOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    round_id: int,
    *,
    client: AuthenticatedClient,
    selections_limit: int | Unset = 1000,
    after_rank: int | None | Unset = UNSET,
) -> Response[ErrorOut | RoundOut]:
    """Get Round

     Status and a page of the selected items ``[{item_id, external_id, rank, score,
    components}]``, best first: the next page starts ``after_rank`` the last rank received.

    Args:
        round_id (int): a row id
        selections_limit (int | Unset): selected items to include, best first Default: 1000.
        after_rank (int | None | Unset): selections after this rank

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RoundOut]
    """

    kwargs = _get_kwargs(
        round_id=round_id,
        selections_limit=selections_limit,
        after_rank=after_rank,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    round_id: int,
    *,
    client: AuthenticatedClient,
    selections_limit: int | Unset = 1000,
    after_rank: int | None | Unset = UNSET,
) -> ErrorOut | RoundOut | None:
    """Get Round

     Status and a page of the selected items ``[{item_id, external_id, rank, score,
    components}]``, best first: the next page starts ``after_rank`` the last rank received.

    Args:
        round_id (int): a row id
        selections_limit (int | Unset): selected items to include, best first Default: 1000.
        after_rank (int | None | Unset): selections after this rank

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RoundOut
    """

    return sync_detailed(
        round_id=round_id,
        client=client,
        selections_limit=selections_limit,
        after_rank=after_rank,
    ).parsed


async def asyncio_detailed(
    round_id: int,
    *,
    client: AuthenticatedClient,
    selections_limit: int | Unset = 1000,
    after_rank: int | None | Unset = UNSET,
) -> Response[ErrorOut | RoundOut]:
    """Get Round

     Status and a page of the selected items ``[{item_id, external_id, rank, score,
    components}]``, best first: the next page starts ``after_rank`` the last rank received.

    Args:
        round_id (int): a row id
        selections_limit (int | Unset): selected items to include, best first Default: 1000.
        after_rank (int | None | Unset): selections after this rank

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RoundOut]
    """

    kwargs = _get_kwargs(
        round_id=round_id,
        selections_limit=selections_limit,
        after_rank=after_rank,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    round_id: int,
    *,
    client: AuthenticatedClient,
    selections_limit: int | Unset = 1000,
    after_rank: int | None | Unset = UNSET,
) -> ErrorOut | RoundOut | None:
    """Get Round

     Status and a page of the selected items ``[{item_id, external_id, rank, score,
    components}]``, best first: the next page starts ``after_rank`` the last rank received.

    Args:
        round_id (int): a row id
        selections_limit (int | Unset): selected items to include, best first Default: 1000.
        after_rank (int | None | Unset): selections after this rank

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RoundOut
    """

    return (
        await asyncio_detailed(
            round_id=round_id,
            client=client,
            selections_limit=selections_limit,
            after_rank=after_rank,
        )
    ).parsed
