from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.query_batch_in import QueryBatchIn
from ...models.round_out import RoundOut
from ...types import Response


def _get_kwargs(
    *,
    body: QueryBatchIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/query-batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | RoundOut | None:
    if response.status_code == 200:
        response_200 = RoundOut.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = RoundOut.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = RoundOut.from_dict(response.json())

        return response_202

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
    *,
    client: AuthenticatedClient,
    body: QueryBatchIn,
) -> Response[ErrorOut | RoundOut]:
    """Query Batch

     Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and what open rounds
    reserved) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round (200). ``wait_seconds`` (capped by the server) waits until the round is ready (201);
    still scoring, or the broker down, answers 202 with ``Retry-After``: poll ``GET /rounds/{id}``.

    Args:
        body (QueryBatchIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RoundOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: QueryBatchIn,
) -> ErrorOut | RoundOut | None:
    """Query Batch

     Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and what open rounds
    reserved) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round (200). ``wait_seconds`` (capped by the server) waits until the round is ready (201);
    still scoring, or the broker down, answers 202 with ``Retry-After``: poll ``GET /rounds/{id}``.

    Args:
        body (QueryBatchIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RoundOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: QueryBatchIn,
) -> Response[ErrorOut | RoundOut]:
    """Query Batch

     Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and what open rounds
    reserved) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round (200). ``wait_seconds`` (capped by the server) waits until the round is ready (201);
    still scoring, or the broker down, answers 202 with ``Retry-After``: poll ``GET /rounds/{id}``.

    Args:
        body (QueryBatchIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RoundOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: QueryBatchIn,
) -> ErrorOut | RoundOut | None:
    """Query Batch

     Start a round: a worker scores the unlabeled target pool with ``strategy`` and selects
    ``budget`` items, best first. 409 when the budget left (after labels bought and what open rounds
    reserved) is too small or the pool is empty. The same ``idempotency_key`` returns the same
    round (200). ``wait_seconds`` (capped by the server) waits until the round is ready (201);
    still scoring, or the broker down, answers 202 with ``Retry-After``: poll ``GET /rounds/{id}``.

    Args:
        body (QueryBatchIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RoundOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
