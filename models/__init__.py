"""labelq's pure PyTorch library: networks, acquisition strategies, objectives, training, inference.

Nothing here knows about databases, HTTP or settings; hyperparameters arrive as arguments.
Importing this package never touches CUDA (Celery forks); the device is chosen at run time.
"""
