"""Programs that are clients of the labelq API, built on its generated SDK (``labelq_client``):
the demo loop (MNIST labeled source -> scikit-learn digits unlabeled target, ``labelq demo``) and
the simulation driver (``labelq simulate``). ``sdk`` adds what a program needs around the SDK
(errors as exceptions, waiting for jobs and rounds), ``datasets`` fetches and caches the demo's
data (numpy/scikit-learn only). Nothing here imports torch, models/, workers/ or the service.
"""
