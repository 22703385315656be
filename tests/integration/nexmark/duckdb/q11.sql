-- Sessions per bidder: a bid 10 s or more after the bidder's previous one starts a new
-- session; a session ends 10 s after its last bid (Flink's SESSION_END).
WITH marked AS (
  SELECT bidder, date_time,
         CASE WHEN date_time - LAG(date_time) OVER (PARTITION BY bidder ORDER BY date_time)
                   < INTERVAL 10 SECOND THEN 0 ELSE 1 END AS starts
  FROM bid
), numbered AS (
  SELECT bidder, date_time,
         SUM(starts) OVER (PARTITION BY bidder ORDER BY date_time ROWS UNBOUNDED PRECEDING) AS session
  FROM marked
)
SELECT bidder, COUNT(*) AS bid_count, MIN(date_time) AS starttime,
       MAX(date_time) + INTERVAL 10 SECOND AS endtime
FROM numbered
GROUP BY bidder, session
