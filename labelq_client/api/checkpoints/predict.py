from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.predict_in import PredictIn
from ...models.predict_out import PredictOut
from ...types import Response


def _get_kwargs(
    checkpoint_id: int,
    *,
    body: PredictIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/checkpoints/{checkpoint_id}/predict".format(
            checkpoint_id=quote(str(checkpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | PredictOut | None:
    if response.status_code == 200:
        response_200 = PredictOut.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = PredictOut.from_dict(response.json())

        return response_202

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
) -> Response[ErrorOut | PredictOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    checkpoint_id: int,
    *,
    client: AuthenticatedClient,
    body: PredictIn,
) -> Response[ErrorOut | PredictOut]:
    """Predict

     Predicted class and the ``top_k`` most probable classes (softmax) of the checkpoint for
    ``item_ids``, ``external_ids`` or a page of ``pool_id`` (``offset``/``limit``, by row), in
    the order asked. A worker answers from the checkpoint's cached forward pass (computed once
    per pool). ``wait_seconds`` waits for it (200); otherwise 202 and poll ``GET /jobs/{id}``
    (its ``result.predictions``).

    Args:
        checkpoint_id (int): a row id
        body (PredictIn): Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of
            its items by row).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PredictOut]
    """

    kwargs = _get_kwargs(
        checkpoint_id=checkpoint_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    checkpoint_id: int,
    *,
    client: AuthenticatedClient,
    body: PredictIn,
) -> ErrorOut | PredictOut | None:
    """Predict

     Predicted class and the ``top_k`` most probable classes (softmax) of the checkpoint for
    ``item_ids``, ``external_ids`` or a page of ``pool_id`` (``offset``/``limit``, by row), in
    the order asked. A worker answers from the checkpoint's cached forward pass (computed once
    per pool). ``wait_seconds`` waits for it (200); otherwise 202 and poll ``GET /jobs/{id}``
    (its ``result.predictions``).

    Args:
        checkpoint_id (int): a row id
        body (PredictIn): Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of
            its items by row).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PredictOut
    """

    return sync_detailed(
        checkpoint_id=checkpoint_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    checkpoint_id: int,
    *,
    client: AuthenticatedClient,
    body: PredictIn,
) -> Response[ErrorOut | PredictOut]:
    """Predict

     Predicted class and the ``top_k`` most probable classes (softmax) of the checkpoint for
    ``item_ids``, ``external_ids`` or a page of ``pool_id`` (``offset``/``limit``, by row), in
    the order asked. A worker answers from the checkpoint's cached forward pass (computed once
    per pool). ``wait_seconds`` waits for it (200); otherwise 202 and poll ``GET /jobs/{id}``
    (its ``result.predictions``).

    Args:
        checkpoint_id (int): a row id
        body (PredictIn): Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of
            its items by row).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | PredictOut]
    """

    kwargs = _get_kwargs(
        checkpoint_id=checkpoint_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    checkpoint_id: int,
    *,
    client: AuthenticatedClient,
    body: PredictIn,
) -> ErrorOut | PredictOut | None:
    """Predict

     Predicted class and the ``top_k`` most probable classes (softmax) of the checkpoint for
    ``item_ids``, ``external_ids`` or a page of ``pool_id`` (``offset``/``limit``, by row), in
    the order asked. A worker answers from the checkpoint's cached forward pass (computed once
    per pool). ``wait_seconds`` waits for it (200); otherwise 202 and poll ``GET /jobs/{id}``
    (its ``result.predictions``).

    Args:
        checkpoint_id (int): a row id
        body (PredictIn): Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of
            its items by row).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | PredictOut
    """

    return (
        await asyncio_detailed(
            checkpoint_id=checkpoint_id,
            client=client,
            body=body,
        )
    ).parsed
