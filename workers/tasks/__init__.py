"""Every task, registered by importing this package."""

from workers.tasks import checkpoints, pools, rounds, simulate, training  # noqa: F401
