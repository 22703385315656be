-- Nexmark q6, average selling price per seller: the average of each seller's last 10
-- winning bids. As the nexmark project writes it: a top-1 per auction of the bids made
-- while it was open (see q4.sql for the interval join's bounds), then AVG over a window of
-- the 10 preceding rows per seller (an OVER frame, docs/sql.md "OVER frames"). Flink does
-- not run it (an OVER window over an updating stream). In sluice the top-1's changes
-- (`_op`) reach the OVER frame, which keeps every current winner per seller, in date_time
-- order, and emits changes: a new winner inserted, and the averages of the 10 winners after
-- it (in its seller's order) deleted and inserted again; a winner replaced likewise.
-- Both sources are read in step (docs/sql.md, "Watermark alignment"): auctions are far cheaper
-- to make than bids, so unaligned the auction source reads ahead and its auctions wait in the
-- join for the bids' watermark. 1 s of drift is small beside the join's 60 s.
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');

CREATE STREAM q6_bids AS
SELECT A.id, A.seller, B.price, B.date_time
FROM auction AS A JOIN bid AS B
  ON A.id = B.auction
 AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND
WHERE B.date_time <= A.expires;

-- `_op` passes the top-1's changes on (docs/sql.md, "Top-N"), for the OVER frame to consume.
CREATE STREAM q6_winners AS
SELECT id, seller, price, date_time, _op
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id, seller ORDER BY price DESC) AS rownum
      FROM q6_bids) AS ranked
WHERE rownum <= 1;

CREATE SINK q6 AS
SELECT seller,
       AVG(price) OVER (PARTITION BY seller ORDER BY date_time
                        ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_price
FROM q6_winners
INTO blackhole ();
