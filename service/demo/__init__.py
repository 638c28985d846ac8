"""The demo: MNIST (labeled source) -> scikit-learn digits (unlabeled target), driven over the REST API.

``datasets`` fetches and caches the data (numpy/scikit-learn only), ``client`` is a small typed httpx
client for the labelq API, ``run`` is the active-domain-adaptation loop behind ``labelq demo``.
Nothing here imports torch, models/ or workers/.
"""
