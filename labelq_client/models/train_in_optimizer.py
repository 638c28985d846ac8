from typing import Literal

TrainInOptimizer = Literal["adadelta", "adam", "sgd"]

TRAIN_IN_OPTIMIZER_VALUES: set[TrainInOptimizer] = {
    "adadelta",
    "adam",
    "sgd",
}


def check_train_in_optimizer(value: str) -> TrainInOptimizer:
    if value in TRAIN_IN_OPTIMIZER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {TRAIN_IN_OPTIMIZER_VALUES!r}"
    )
