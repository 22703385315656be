"""Batch.to_pandas(): a DataFrame whose columns keep sluice's types and NULLs.

INT/BIGINT with NULLs become pandas' nullable Int32/Int64, BOOLEAN with NULLs nullable boolean,
TIMESTAMP datetime64[ns, UTC], DATE datetime64[ns], INTERVAL timedelta64[ns], VARCHAR and
DECIMAL object (str, decimal.Decimal); NULL is NaN, NaT, None or pandas.NA accordingly.
"""

import numpy as np


def batch_to_pandas(batch):
    import pandas as pd

    data = {}
    for (name, type_name, _nullable), values in zip(batch.schema, batch.to_numpy().values()):
        if isinstance(values, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(values)
            if values.dtype == bool:
                values = pd.arrays.BooleanArray(np.asarray(values.data), mask)
            else:
                values = pd.arrays.IntegerArray(np.asarray(values.data), mask)
        elif type_name == "TIMESTAMP":
            values = pd.Series(values.astype("datetime64[ns]")).dt.tz_localize("UTC").array
        elif values.dtype.kind in "mM":
            values = values.astype("datetime64[ns]" if values.dtype.kind == "M"
                                   else "timedelta64[ns]")
        data[name] = values
    return pd.DataFrame(data, columns=batch.column_names)
