"""torchvision's classification models by name: architecture ``torchvision/<name>`` for every name
of ``torchvision.models.list_models(module=torchvision.models)`` (never pretrained here: weights
come from the user's upload, never from a hub).

The model stays torchvision's own module, so its state-dict keys are torchvision's
(``torchvision.models.resnet18(num_classes=10).state_dict()`` loads as-is). labelq's contract is
added around it: ``forward`` returns ``(logits, features)`` where ``features`` is the input of the
final ``nn.Linear`` (``fc``, ``head``, ``heads.head``, or the last Linear of ``classifier``), found
by a hook at run time, and ``feature_dim`` is that Linear's ``in_features``. SqueezeNet (a
convolutional head, no final Linear) is refused.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

PREFIX = "torchvision/"
_HEADS = ("fc", "head", "heads.head", "classifier")


def names() -> list[str]:
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def head_path(net: nn.Module) -> str:
    """Where the final Linear is: a Linear at one of the usual names, or the last Linear of the
    Sequential there."""
    for path in _HEADS:
        try:
            module = net.get_submodule(path)
        except AttributeError:
            continue
        if isinstance(module, nn.Linear):
            return path
        if isinstance(module, nn.Sequential):
            linear = [i for i, m in enumerate(module) if isinstance(m, nn.Linear)]
            if linear and all(
                not isinstance(m, nn.Linear | nn.Conv2d) for m in list(module)[linear[-1] + 1 :]
            ):
                return f"{path}.{linear[-1]}"
    raise ValueError(f"{type(net).__name__} has no final nn.Linear ({', '.join(_HEADS)}): not supported")


def _forward(self: nn.Module, x: Tensor) -> tuple[Tensor, Tensor]:
    """The torchvision forward, with the final Linear's input caught as the features."""
    caught: list[Tensor] = []
    head = self.get_submodule(self.labelq_head)
    handle = head.register_forward_hook(lambda _m, inputs, _out: caught.append(inputs[0]))
    try:
        out = type(self).__mro__[1].forward(self, x)
    finally:
        handle.remove()
    logits = out if isinstance(out, Tensor) else out.logits  # googlenet/inception: aux outputs in training
    return logits, caught[-1]


def build(name: str, kwargs: dict[str, Any]) -> nn.Module:
    """``torchvision.models.get_model(name, weights=None, **kwargs)`` keeping labelq's contract."""
    import torchvision

    if name not in names():
        raise ValueError(f"unknown torchvision model {name!r}; known: {names()}")
    if any(k in kwargs for k in ("weights", "weights_backbone", "progress")):
        raise TypeError(
            "weights come from the upload: torchvision's weights/progress arguments are not accepted"
        )
    try:
        net = torchvision.models.get_model(name, weights=None, **kwargs)
    except TypeError as exc:
        raise TypeError(f"network {PREFIX}{name!r}: {exc}") from None
    path = head_path(net)
    base = type(net)
    net.__class__ = type(f"Labelq{base.__name__}", (base,), {"forward": _forward, "labelq_head": path})
    net.feature_dim = int(net.get_submodule(path).in_features)
    return net
