from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.upload_out import UploadOut
from ...models.upload_start_in import UploadStartIn
from ...types import Response


def _get_kwargs(
    project_id: int,
    *,
    body: UploadStartIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/projects/{project_id}/uploads".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | UploadOut | None:
    if response.status_code == 201:
        response_201 = UploadOut.from_dict(response.json())

        return response_201

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
    project_id: int,
    *,
    client: AuthenticatedClient,
    body: UploadStartIn,
) -> Response[ErrorOut | UploadOut]:
    """Start Upload

     Start a pool file that is sent in parts (for files above LABELQ_MAX_UPLOAD_BYTES, up to
    LABELQ_MAX_POOL_BYTES): then ``PATCH /uploads/{id}`` each part, then ``POST
    /uploads/{id}/complete``. Parts not completed are collected after LABELQ_UPLOAD_MAX_AGE_SECONDS.

    Args:
        project_id (int): a row id
        body (UploadStartIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: int,
    *,
    client: AuthenticatedClient,
    body: UploadStartIn,
) -> ErrorOut | UploadOut | None:
    """Start Upload

     Start a pool file that is sent in parts (for files above LABELQ_MAX_UPLOAD_BYTES, up to
    LABELQ_MAX_POOL_BYTES): then ``PATCH /uploads/{id}`` each part, then ``POST
    /uploads/{id}/complete``. Parts not completed are collected after LABELQ_UPLOAD_MAX_AGE_SECONDS.

    Args:
        project_id (int): a row id
        body (UploadStartIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    body: UploadStartIn,
) -> Response[ErrorOut | UploadOut]:
    """Start Upload

     Start a pool file that is sent in parts (for files above LABELQ_MAX_UPLOAD_BYTES, up to
    LABELQ_MAX_POOL_BYTES): then ``PATCH /uploads/{id}`` each part, then ``POST
    /uploads/{id}/complete``. Parts not completed are collected after LABELQ_UPLOAD_MAX_AGE_SECONDS.

    Args:
        project_id (int): a row id
        body (UploadStartIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    *,
    client: AuthenticatedClient,
    body: UploadStartIn,
) -> ErrorOut | UploadOut | None:
    """Start Upload

     Start a pool file that is sent in parts (for files above LABELQ_MAX_UPLOAD_BYTES, up to
    LABELQ_MAX_POOL_BYTES): then ``PATCH /uploads/{id}`` each part, then ``POST
    /uploads/{id}/complete``. Parts not completed are collected after LABELQ_UPLOAD_MAX_AGE_SECONDS.

    Args:
        project_id (int): a row id
        body (UploadStartIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
        )
    ).parsed
