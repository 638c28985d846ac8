from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.ls_setup_body import LsSetupBody
from ...models.ls_setup_response_ls_setup import LsSetupResponseLsSetup
from ...types import Response


def _get_kwargs(
    project_id: int,
    *,
    body: LsSetupBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/ls/{project_id}/setup".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | LsSetupResponseLsSetup | None:
    if response.status_code == 200:
        response_200 = LsSetupResponseLsSetup.from_dict(response.json())

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
) -> Response[ErrorOut | LsSetupResponseLsSetup]:
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
    body: LsSetupBody,
) -> Response[ErrorOut | LsSetupResponseLsSetup]:
    """Ls Setup

     Label Studio connects: its URL, token, project and labeling config (Choices named as the
    project's classes). ``model_version`` changes with each checkpoint and round, so Label Studio
    asks for new predictions then.

    Args:
        project_id (int): a row id
        body (LsSetupBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LsSetupResponseLsSetup]
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
    body: LsSetupBody,
) -> ErrorOut | LsSetupResponseLsSetup | None:
    """Ls Setup

     Label Studio connects: its URL, token, project and labeling config (Choices named as the
    project's classes). ``model_version`` changes with each checkpoint and round, so Label Studio
    asks for new predictions then.

    Args:
        project_id (int): a row id
        body (LsSetupBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LsSetupResponseLsSetup
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
    body: LsSetupBody,
) -> Response[ErrorOut | LsSetupResponseLsSetup]:
    """Ls Setup

     Label Studio connects: its URL, token, project and labeling config (Choices named as the
    project's classes). ``model_version`` changes with each checkpoint and round, so Label Studio
    asks for new predictions then.

    Args:
        project_id (int): a row id
        body (LsSetupBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | LsSetupResponseLsSetup]
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
    body: LsSetupBody,
) -> ErrorOut | LsSetupResponseLsSetup | None:
    """Ls Setup

     Label Studio connects: its URL, token, project and labeling config (Choices named as the
    project's classes). ``model_version`` changes with each checkpoint and round, so Label Studio
    asks for new predictions then.

    Args:
        project_id (int): a row id
        body (LsSetupBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | LsSetupResponseLsSetup
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
        )
    ).parsed
