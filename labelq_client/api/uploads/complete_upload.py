from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.pool_upload_out import PoolUploadOut
from ...models.upload_complete_in import UploadCompleteIn
from ...types import Response


def _get_kwargs(
    upload_id: str,
    *,
    body: UploadCompleteIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/uploads/{upload_id}/complete".format(
            upload_id=quote(str(upload_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | PoolUploadOut | None:
    if response.status_code == 201:
        response_201 = PoolUploadOut.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = PoolUploadOut.from_dict(response.json())

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
) -> Response[ErrorOut | PoolUploadOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: UploadCompleteIn,
) -> Response[ErrorOut | PoolUploadOut]:
    """Complete Upload

     Every byte received: the pool and its import job, as ``POST /projects/{id}/pools`` answers
    (201, or 202 with ``Retry-After`` while importing). Completing again answers the same pool.

    Args:
        upload_id (str): the upload's id
        body (UploadCompleteIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PoolUploadOut]
    """

    kwargs = _get_kwargs(
        upload_id=upload_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: UploadCompleteIn,
) -> ErrorOut | PoolUploadOut | None:
    """Complete Upload

     Every byte received: the pool and its import job, as ``POST /projects/{id}/pools`` answers
    (201, or 202 with ``Retry-After`` while importing). Completing again answers the same pool.

    Args:
        upload_id (str): the upload's id
        body (UploadCompleteIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PoolUploadOut
    """

    return sync_detailed(
        upload_id=upload_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: UploadCompleteIn,
) -> Response[ErrorOut | PoolUploadOut]:
    """Complete Upload

     Every byte received: the pool and its import job, as ``POST /projects/{id}/pools`` answers
    (201, or 202 with ``Retry-After`` while importing). Completing again answers the same pool.

    Args:
        upload_id (str): the upload's id
        body (UploadCompleteIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PoolUploadOut]
    """

    kwargs = _get_kwargs(
        upload_id=upload_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: UploadCompleteIn,
) -> ErrorOut | PoolUploadOut | None:
    """Complete Upload

     Every byte received: the pool and its import job, as ``POST /projects/{id}/pools`` answers
    (201, or 202 with ``Retry-After`` while importing). Completing again answers the same pool.

    Args:
        upload_id (str): the upload's id
        body (UploadCompleteIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PoolUploadOut
    """

    return (
        await asyncio_detailed(
            upload_id=upload_id,
            client=client,
            body=body,
        )
    ).parsed
