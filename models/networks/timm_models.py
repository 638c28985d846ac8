"""timm's models by name: architecture ``timm/<name>`` (timm is optional: ``pip install
'labelq[timm]'`` on the workers), always ``pretrained=False``: weights come from the user's upload,
never from a hub. The model stays timm's own module, so its state-dict keys are timm's.

labelq's contract around it: ``forward`` returns ``(logits, features)`` with features =
``forward_head(forward_features(x), pre_logits=True)`` and logits = ``get_classifier()(features)``
(so logits are exactly the final Linear of the features); ``feature_dim`` = ``num_features``.
``arch_args``: ``num_classes``, ``in_chans`` and the model's other keyword arguments (JSON).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

PREFIX = "timm/"
_REFUSED = ("pretrained", "pretrained_cfg", "pretrained_cfg_overlay", "checkpoint_path", "cache_dir")


def _forward(self: nn.Module, x: Tensor) -> tuple[Tensor, Tensor]:
    features = self.forward_head(self.forward_features(x), pre_logits=True)
    return self.get_classifier()(features), features


def build(name: str, kwargs: dict[str, Any]) -> nn.Module:
    try:
        import timm
    except ImportError:
        raise ValueError("timm is not installed on this worker: pip install 'labelq[timm]'") from None
    if not timm.is_model(name):
        raise ValueError(f"unknown timm model {name!r} (timm.list_models() names them)")
    refused = [k for k in _REFUSED if k in kwargs]
    if refused:
        raise TypeError(f"weights come from the upload: timm's {refused} are not accepted")
    try:
        net = timm.create_model(name, pretrained=False, **kwargs)
    except TypeError as exc:
        raise TypeError(f"network {PREFIX}{name!r}: {exc}") from None
    head = net.get_classifier()
    if not isinstance(head, nn.Linear):
        raise ValueError(
            f"timm model {name!r} has no Linear classifier ({type(head).__name__}); give num_classes"
        )
    base = type(net)
    net.__class__ = type(f"Labelq{base.__name__}", (base,), {"forward": _forward})
    net.feature_dim = int(head.in_features)
    return net


def names() -> list[str]:
    """Every timm model name, or none when timm is not installed here."""
    try:
        import timm
    except ImportError:
        return []
    return sorted(timm.list_models())
