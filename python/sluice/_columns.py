"""Columnar input: a pandas DataFrame or a dict of arrays as (names, numpy arrays, null masks),
what the extension converts without Python work per row for numeric and time columns.

pandas' own missing values become masks: nullable extension arrays (Int64, boolean, Float64)
give theirs, a timezone-aware datetime column is converted to UTC first.
"""

import numpy as np


def is_dataframe(data):
    return type(data).__module__.startswith("pandas") and hasattr(data, "columns") \
        and hasattr(data, "items")


def _is_series(value):
    return type(value).__module__.startswith("pandas") and hasattr(value, "array") \
        and hasattr(value, "dtype")


def is_columns(data):
    """A dict whose values are arrays (numpy, pandas, lists), not a row of scalars."""
    return any(isinstance(v, (np.ndarray, list, tuple)) or _is_series(v) for v in data.values())


def _series(series):
    dtype = series.dtype
    array = series.array
    if getattr(dtype, "tz", None) is not None:  # datetime64[ns, tz]: the UTC instants
        return series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(), None
    if hasattr(array, "_data") and hasattr(array, "_mask"):  # Int64, boolean, Float64
        return np.asarray(array._data), np.asarray(array._mask)
    if getattr(dtype, "kind", "O") == "O" or not isinstance(dtype, np.dtype):
        return series.to_numpy(dtype=object), None  # strings, categoricals, objects
    return series.to_numpy(), None


def _array(value):
    if _is_series(value):
        return _series(value)
    if isinstance(value, np.ma.MaskedArray):
        return np.asarray(value.data), np.ma.getmaskarray(value)
    return np.asarray(value), None


def columns_of(data):
    names, arrays, masks = [], [], []
    for name, value in data.items():
        values, mask = _array(value)
        names.append(str(name))
        arrays.append(values)
        masks.append(mask)
    return names, arrays, masks
