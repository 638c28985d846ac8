from __future__ import annotations

import io
import os
import pickle
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from models.checkpoint import (
    CheckpointError,
    bundle,
    load_network,
    state_from_bytes,
    state_hash,
    state_to_bytes,
    unbundle,
)
from models.networks import build_network

LENET = {"num_classes": 10, "input_size": 8}


class Payload:
    """Unpickling this runs ``touch <path>``: the shape of a malicious checkpoint."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.path}",))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / f"pwned-{uuid.uuid4().hex}"


def mixed_state() -> dict[str, torch.Tensor]:
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    return {
        "w": torch.randn(4, 5),
        "w_t": torch.randn(5, 4).t(),  # non-contiguous
        "tied_a": base,
        "tied_b": base,  # shares storage with tied_a
        "half": torch.randn(3, dtype=torch.bfloat16),
        "double": torch.randn(2, 2, dtype=torch.float64),
        "count": torch.tensor(7, dtype=torch.int64),  # 0-dim, like num_batches_tracked
        "mask": torch.tensor([True, False, True]),
        "empty": torch.empty(0, 3),
    }


def torch_bytes(obj: object, *, zipfile: bool = True) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=zipfile)
    return buf.getvalue()


def assert_same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert torch.equal(a[name], b[name]), name
    assert state_hash(a) == state_hash(b)


class TestRoundTrip:
    def test_safetensors_is_bit_exact(self) -> None:
        torch.manual_seed(0)
        state = mixed_state()
        data = state_to_bytes(state)
        assert data[8:9] == b"{"  # safetensors header
        assert_same_state(state, state_from_bytes(data))

    @pytest.mark.parametrize("zipfile", [True, False])
    def test_torch_saved_state_dict_is_bit_exact(self, zipfile: bool) -> None:
        torch.manual_seed(0)
        state = build_network("resnet18", num_classes=3, in_channels=1, small_input=True).state_dict()
        assert_same_state(state, state_from_bytes(torch_bytes(state, zipfile=zipfile)))

    def test_loaded_network_computes_the_same_outputs(self) -> None:
        torch.manual_seed(0)
        net = build_network("lenet", **LENET).eval()
        clone = load_network("lenet", LENET, state_from_bytes(state_to_bytes(net.state_dict()))).eval()
        x = torch.randn(4, 1, 8, 8)
        with torch.no_grad():
            assert torch.equal(net(x)[0], clone(x)[0])


class TestRefusals:
    def test_the_payload_is_live_when_unpickled_unsafely(self, marker: Path) -> None:
        pickle.loads(pickle.dumps(Payload(marker)))  # control: proves the exploit is live
        assert marker.exists()

    @pytest.mark.parametrize(
        "make",
        [
            lambda p: pickle.dumps(Payload(p), protocol=2),
            lambda p: pickle.dumps({"w": Payload(p)}, protocol=4),
            lambda p: torch_bytes({"w": Payload(p)}),
            lambda p: torch_bytes(Payload(p), zipfile=False),
        ],
        ids=["pickle-p2", "pickle-p4-dict", "torch-zip", "torch-legacy"],
    )
    def test_pickles_carrying_code_are_refused_and_never_run(
        self, make: Callable[[Path], bytes], marker: Path
    ) -> None:
        with pytest.raises(CheckpointError):
            state_from_bytes(make(marker))
        assert not marker.exists()

    @pytest.mark.parametrize(
        ("data", "match"),
        [
            (torch_bytes([torch.zeros(2)]), "dict"),
            (torch_bytes({"a": 1}), "not a tensor"),
            (torch_bytes({"a": {"b": torch.zeros(1)}}), "not a tensor"),
            (torch_bytes({1: torch.zeros(1)}), "strings"),
            (b"", "refused"),
            (b"definitely not a checkpoint", "refused"),
            (b"\x05\x00\x00\x00\x00\x00\x00\x00{abcd", "safetensors"),
        ],
        ids=["list", "int-value", "nested", "int-key", "empty", "garbage", "bad-safetensors"],
    )
    def test_non_state_dicts_are_refused(self, data: bytes, match: str) -> None:
        with pytest.raises(CheckpointError, match=match):
            state_from_bytes(data)

    def test_truncated_safetensors_is_refused(self) -> None:
        data = state_to_bytes({"w": torch.randn(10, 10)})
        with pytest.raises(CheckpointError):
            state_from_bytes(data[:-7])

    def test_saving_a_non_tensor_is_refused(self) -> None:
        with pytest.raises(CheckpointError, match="'n'"):
            state_to_bytes({"n": 3})  # type: ignore[dict-item]


class TestLoadNetwork:
    def state(self) -> dict[str, torch.Tensor]:
        torch.manual_seed(0)
        return build_network("lenet", **LENET).state_dict()

    def test_shape_mismatch_names_the_key_and_shapes(self) -> None:
        state = self.state()
        state["classifier.weight"] = torch.zeros(3, 128)
        with pytest.raises(
            CheckpointError, match=r"classifier\.weight: expected \(10, 128\).*got \(3, 128\)"
        ):
            load_network("lenet", LENET, state)

    def test_missing_and_unexpected_keys_are_listed(self) -> None:
        state = self.state()
        del state["classifier.bias"]
        state["head.extra"] = torch.zeros(1)
        with pytest.raises(CheckpointError) as info:
            load_network("lenet", LENET, state)
        assert "missing keys: classifier.bias" in info.value.message
        assert "unexpected keys: head.extra" in info.value.message

    def test_many_missing_keys_are_abbreviated(self) -> None:
        with pytest.raises(CheckpointError, match=r"and \d+ more"):
            load_network("resnet18", {"num_classes": 10}, {})

    def test_integer_tensor_for_a_float_parameter_is_refused(self) -> None:
        state = self.state()
        state["classifier.bias"] = torch.zeros(10, dtype=torch.int64)
        with pytest.raises(CheckpointError, match="classifier.bias"):
            load_network("lenet", LENET, state)

    @pytest.mark.parametrize(
        ("arch", "args"),
        [("nope", {}), ("lenet", {"num_classes": 10, "depth": 3}), ("lenet", {"num_classes": -1})],
    )
    def test_unbuildable_architecture_is_a_checkpoint_error(self, arch: str, args: dict[str, int]) -> None:
        with pytest.raises(CheckpointError, match="cannot build"):
            load_network(arch, args, {})


class TestHashAndBundle:
    def test_hash_is_order_independent_and_sensitive_to_names_values_dtypes(self) -> None:
        state = {"a": torch.arange(4.0), "b": torch.ones(2, 2)}
        reference = state_hash(state)
        assert state_hash({"b": state["b"], "a": state["a"]}) == reference
        assert state_hash({"a": state["a"], "c": state["b"]}) != reference
        assert state_hash({"a": state["a"], "b": state["b"].reshape(4)}) != reference
        changed = state["a"].clone()
        changed[3] = 3.0000002
        assert state_hash({"a": changed, "b": state["b"]}) != reference
        as_int = {"a": state["a"].view(torch.int32), "b": state["b"]}  # same bytes, other dtype
        assert state_hash(as_int) != reference

    def test_bundle_round_trip(self) -> None:
        model = {"conv.weight": torch.randn(2, 2)}
        objective = {"delta": torch.tensor(-2.5)}
        flat = bundle({"model": model, "objective": objective})
        assert set(flat) == {"model.conv.weight", "objective.delta"}
        parts = unbundle(state_from_bytes(state_to_bytes(flat)))
        assert_same_state(parts["model"], model)
        assert_same_state(parts["objective"], objective)
        with pytest.raises(ValueError, match="without '.'"):
            bundle({"a.b": model})


def _saved(write) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    write(buf)
    return buf.getvalue()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_programs_and_pickled_models_are_refused_saying_what_is_accepted() -> None:
    net = torch.nn.Linear(3, 2)
    program = torch.export.export(net, (torch.randn(1, 3),))
    files = {
        "torch.export program": _saved(lambda b: torch.export.save(program, b)),
        "TorchScript archive": _saved(lambda b: torch.jit.save(torch.jit.script(net), b)),
        "pickled object, not a state dict": _saved(lambda b: torch.save(net, b)),
    }
    for kind, data in files.items():
        with pytest.raises(CheckpointError) as err:
            state_from_bytes(data)
        message = str(err.value)
        assert kind in message and "model.state_dict()" in message and "safetensors" in message
        assert "corrupt" not in message, message
    assert set(state_from_bytes(_saved(lambda b: torch.save(net.state_dict(), b)))) == {"weight", "bias"}
