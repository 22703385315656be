WITH AuctionBids AS (
  SELECT auction, COUNT(*) AS num, w AS starttime, w + 10000000 AS endtime
  FROM (SELECT auction, (epoch_us(date_time) // 2000000 - k) * 2000000 AS w
        FROM bid, range(5) AS t(k))
  GROUP BY auction, w
), MaxBids AS (
  SELECT starttime, endtime, MAX(num) AS maxn FROM AuctionBids GROUP BY starttime, endtime
)
SELECT AuctionBids.auction, AuctionBids.num
FROM AuctionBids JOIN MaxBids
  ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
 AND AuctionBids.num >= MaxBids.maxn
