from typing import Literal

SimulateInOptimizer = Literal["adadelta", "adam", "sgd"]

SIMULATE_IN_OPTIMIZER_VALUES: set[SimulateInOptimizer] = {
    "adadelta",
    "adam",
    "sgd",
}


def check_simulate_in_optimizer(value: str) -> SimulateInOptimizer:
    if value in SIMULATE_IN_OPTIMIZER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SIMULATE_IN_OPTIMIZER_VALUES!r}"
    )
