WITH B1 AS (
  SELECT MAX(price) AS maxprice, make_timestamp(w + 10000000) AS date_time
  FROM (SELECT price, epoch_us(date_time) // 10000000 * 10000000 AS w FROM bid)
  GROUP BY w
)
SELECT B.auction, B.price, B.bidder, B.date_time, B.extra
FROM bid B JOIN B1
  ON B.price = B1.maxprice
 AND B.date_time BETWEEN B1.date_time - INTERVAL 10 SECOND AND B1.date_time
