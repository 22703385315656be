-- Nexmark q8, monitor new users: the persons who opened an auction in the same 10 s window
-- in which they registered. A window join: both sides in the same TUMBLE window.
-- Both sources are read in step (docs/sql.md, "Watermark alignment"): unaligned, the faster
-- one reads ahead and its rows wait in the window join until the other's watermark closes
-- their window. 1 s of drift is small beside the 10 s windows.
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');
CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');

CREATE STREAM q8_persons AS
SELECT id, name, window_start AS starttime, window_end AS endtime
FROM person
GROUP BY id, name, TUMBLE(date_time, INTERVAL '10' SECOND);

CREATE STREAM q8_sellers AS
SELECT seller, window_start AS starttime, window_end AS endtime
FROM auction
GROUP BY seller, TUMBLE(date_time, INTERVAL '10' SECOND);

CREATE SINK q8 AS
SELECT P.id, P.name, P.starttime
FROM q8_persons P JOIN q8_sellers A
  ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
INTO blackhole ();
