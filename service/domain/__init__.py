"""Domain rules and their SQL, one module per noun. Services flush, never commit."""
