"""Every task, registered by importing this package."""

from workers.tasks import checkpoints, pools, predict, rounds, simulate, training  # noqa: F401
