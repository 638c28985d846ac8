"""torchvision's models by name keep labelq's network contract and torchvision's own weights."""

from __future__ import annotations

import pytest
import torch
import torchvision

from models.networks import build_network, count_parameters

# one of each head layout: fc, classifier (Linear), classifier (Sequential ending in Linear), head(s)
FAMILIES = [
    ("resnet18", "fc", 512),
    ("densenet121", "classifier", 1024),
    ("mobilenet_v3_small", "classifier.3", 1024),
    ("efficientnet_b0", "classifier.1", 1280),
    ("shufflenet_v2_x0_5", "fc", 1024),
    ("regnet_x_400mf", "fc", 400),
]


@pytest.mark.parametrize(("name", "head", "dim"), FAMILIES)
def test_logits_are_the_final_linear_of_the_features(name: str, head: str, dim: int) -> None:
    torch.manual_seed(0)
    net = build_network(f"torchvision/{name}", num_classes=5).eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits, features = net(x)
        last = net.get_submodule(head)
        assert features.shape == (2, dim) and net.feature_dim == dim and logits.shape == (2, 5)
        assert torch.allclose(logits, last(features), atol=1e-5)
        # the same as torchvision's own forward: the wrapper changes what is returned, not the maths
        plain = type(net).__mro__[1].forward(net, x)
    assert torch.allclose(plain, logits)


def test_torchvisions_own_state_dict_loads_as_is() -> None:
    torch.manual_seed(1)
    theirs = torchvision.models.resnet18(num_classes=10)
    ours = build_network("torchvision/resnet18", num_classes=10)
    assert set(ours.state_dict()) == set(theirs.state_dict())  # fc.weight, conv1.weight, ...
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(ours.eval()(x)[0], theirs.eval()(x))


def test_unknown_names_arguments_and_heads_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown torchvision model"):
        build_network("torchvision/resnet19", num_classes=3)
    with pytest.raises(TypeError, match="weights come from the upload"):
        build_network("torchvision/resnet18", num_classes=3, weights="DEFAULT")
    with pytest.raises(TypeError, match="torchvision/'resnet18'|unexpected keyword"):
        build_network("torchvision/resnet18", num_classes=3, colour=2)
    with pytest.raises(ValueError, match="no final nn.Linear"):
        build_network("torchvision/squeezenet1_0", num_classes=3)


def test_parameters_are_counted_without_building_weights() -> None:
    expected = sum(p.numel() for p in torchvision.models.resnet18(num_classes=7).parameters())
    assert count_parameters("torchvision/resnet18", num_classes=7) == expected
