from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    item_id: int,
    *,
    size: int | Unset = 96,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["size"] = size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/items/{item_id}/image.png".format(
            item_id=quote(str(item_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

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
) -> Response[ErrorOut | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    item_id: int,
    *,
    client: AuthenticatedClient,
    size: int | Unset = 96,
) -> Response[ErrorOut | File]:
    """Get Item Image

     The item's input as a PNG, scaled to 0-255 per image: items of pools whose project's
    ``input_shape`` is an image ([H, W] or [C, H, W] with C 1 or 3).

    Args:
        item_id (int): a row id
        size (int | Unset): longer side in pixels, about Default: 96.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | File]
    """

    kwargs = _get_kwargs(
        item_id=item_id,
        size=size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    item_id: int,
    *,
    client: AuthenticatedClient,
    size: int | Unset = 96,
) -> ErrorOut | File | None:
    """Get Item Image

     The item's input as a PNG, scaled to 0-255 per image: items of pools whose project's
    ``input_shape`` is an image ([H, W] or [C, H, W] with C 1 or 3).

    Args:
        item_id (int): a row id
        size (int | Unset): longer side in pixels, about Default: 96.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | File
    """

    return sync_detailed(
        item_id=item_id,
        client=client,
        size=size,
    ).parsed


async def asyncio_detailed(
    item_id: int,
    *,
    client: AuthenticatedClient,
    size: int | Unset = 96,
) -> Response[ErrorOut | File]:
    """Get Item Image

     The item's input as a PNG, scaled to 0-255 per image: items of pools whose project's
    ``input_shape`` is an image ([H, W] or [C, H, W] with C 1 or 3).

    Args:
        item_id (int): a row id
        size (int | Unset): longer side in pixels, about Default: 96.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | File]
    """

    kwargs = _get_kwargs(
        item_id=item_id,
        size=size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    item_id: int,
    *,
    client: AuthenticatedClient,
    size: int | Unset = 96,
) -> ErrorOut | File | None:
    """Get Item Image

     The item's input as a PNG, scaled to 0-255 per image: items of pools whose project's
    ``input_shape`` is an image ([H, W] or [C, H, W] with C 1 or 3).

    Args:
        item_id (int): a row id
        size (int | Unset): longer side in pixels, about Default: 96.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | File
    """

    return (
        await asyncio_detailed(
            item_id=item_id,
            client=client,
            size=size,
        )
    ).parsed
