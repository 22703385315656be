WITH P AS (
  SELECT DISTINCT id, name, epoch_us(date_time) // 10000000 * 10000000 AS w FROM person
), A AS (
  SELECT DISTINCT seller, epoch_us(date_time) // 10000000 * 10000000 AS w FROM auction
)
SELECT P.id, P.name, make_timestamp(P.w) AS starttime
FROM P JOIN A ON P.id = A.seller AND P.w = A.w
