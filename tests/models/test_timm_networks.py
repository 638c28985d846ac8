"""timm's models by name keep labelq's network contract and timm's own weights."""

from __future__ import annotations

import pytest
import timm
import torch

from models.networks import build_network, count_parameters


@pytest.mark.parametrize("name", ["resnet10t", "test_efficientnet", "test_vit"])
def test_logits_are_the_classifier_of_the_pre_logits_features(name: str) -> None:
    torch.manual_seed(0)
    args = {"num_classes": 4, "in_chans": 1} if name != "test_vit" else {"num_classes": 4}
    net = build_network(f"timm/{name}", **args).eval()
    x = torch.randn(
        2, args.get("in_chans", 3), *((32, 32) if name != "test_vit" else net.default_cfg["input_size"][1:])
    )
    with torch.no_grad():
        logits, features = net(x)
        assert features.shape == (2, net.num_features) and net.feature_dim == net.num_features
        assert torch.allclose(logits, net.get_classifier()(features), atol=1e-6)
        plain = type(net).__mro__[1].forward(net, x)  # timm's own forward: the same logits
    assert logits.shape == (2, 4) and torch.allclose(plain, logits, atol=1e-5)


def test_timms_own_state_dict_loads_as_is() -> None:
    torch.manual_seed(1)
    theirs = timm.create_model("resnet10t", pretrained=False, num_classes=3)
    ours = build_network("timm/resnet10t", num_classes=3)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(ours.eval()(x)[0], theirs.eval()(x), atol=1e-6)
    assert count_parameters("timm/resnet10t", num_classes=3) == sum(p.numel() for p in theirs.parameters())


def test_pretrained_unknown_and_headless_models_are_refused() -> None:
    with pytest.raises(TypeError, match="weights come from the upload"):
        build_network("timm/resnet10t", num_classes=3, pretrained=True)
    with pytest.raises(ValueError, match="unknown timm model"):
        build_network("timm/resnet10000", num_classes=3)
    with pytest.raises(ValueError, match="no Linear classifier"):
        build_network("timm/resnet10t", num_classes=0)
