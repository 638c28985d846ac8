from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.upload_out import UploadOut
from ...types import File, Response


def _get_kwargs(
    upload_id: str,
    *,
    body: File,
    upload_offset: int,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["upload-offset"] = str(upload_offset)

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/uploads/{upload_id}".format(
            upload_id=quote(str(upload_id), safe=""),
        ),
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | UploadOut | None:
    if response.status_code == 200:
        response_200 = UploadOut.from_dict(response.json())

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
) -> Response[ErrorOut | UploadOut]:
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
    body: File,
    upload_offset: int,
) -> Response[ErrorOut | UploadOut]:
    """Send Part

     One part (the raw bytes, ``application/octet-stream``), starting at ``Upload-Offset``, which
    must be where the upload stands (409 with ``offset`` otherwise: resume from there).

    Args:
        upload_id (str): the upload's id
        upload_offset (int): the byte the part starts at
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        upload_id=upload_id,
        body=body,
        upload_offset=upload_offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: File,
    upload_offset: int,
) -> ErrorOut | UploadOut | None:
    """Send Part

     One part (the raw bytes, ``application/octet-stream``), starting at ``Upload-Offset``, which
    must be where the upload stands (409 with ``offset`` otherwise: resume from there).

    Args:
        upload_id (str): the upload's id
        upload_offset (int): the byte the part starts at
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return sync_detailed(
        upload_id=upload_id,
        client=client,
        body=body,
        upload_offset=upload_offset,
    ).parsed


async def asyncio_detailed(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: File,
    upload_offset: int,
) -> Response[ErrorOut | UploadOut]:
    """Send Part

     One part (the raw bytes, ``application/octet-stream``), starting at ``Upload-Offset``, which
    must be where the upload stands (409 with ``offset`` otherwise: resume from there).

    Args:
        upload_id (str): the upload's id
        upload_offset (int): the byte the part starts at
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        upload_id=upload_id,
        body=body,
        upload_offset=upload_offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    upload_id: str,
    *,
    client: AuthenticatedClient,
    body: File,
    upload_offset: int,
) -> ErrorOut | UploadOut | None:
    """Send Part

     One part (the raw bytes, ``application/octet-stream``), starting at ``Upload-Offset``, which
    must be where the upload stands (409 with ``offset`` otherwise: resume from there).

    Args:
        upload_id (str): the upload's id
        upload_offset (int): the byte the part starts at
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return (
        await asyncio_detailed(
            upload_id=upload_id,
            client=client,
            body=body,
            upload_offset=upload_offset,
        )
    ).parsed
