"""The differentiable operations, one module per family. Each op is a `Function` subclass."""
