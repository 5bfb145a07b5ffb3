"""Small helpers shared by test modules (imported as `helpers`: pytest puts tests/ on the path)."""


def rounded(value):
    """Floats to 4 places, recursively: documents batched differently may differ in the last bits."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value
