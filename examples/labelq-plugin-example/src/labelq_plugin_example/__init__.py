"""An example labelq plugin: the strategy example_ratio and the network example_linear."""
