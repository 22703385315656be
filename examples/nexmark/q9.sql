-- Nexmark q9, winning bids: each auction with its winning bid, the highest (the earliest
-- among equals) made while it was open (see q4.sql for the interval join's bounds). A top-1
-- per auction: its row changes while higher bids arrive, so the sink gets the changes (`_op`).
-- Both sources are read in step (docs/sql.md, "Watermark alignment"): auctions are far cheaper
-- to make than bids, so unaligned the auction source reads ahead and its auctions wait in the
-- join for the bids' watermark. 1 s of drift is small beside the join's 60 s.
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');

CREATE STREAM q9_bids AS
SELECT A.id, A.item_name, A.description, A.initial_bid, A.reserve, A.date_time, A.expires,
       A.seller, A.category, A.extra,
       B.auction, B.bidder, B.price, B.date_time AS bid_date_time, B.extra AS bid_extra
FROM auction A JOIN bid B
  ON A.id = B.auction
 AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND
WHERE B.date_time <= A.expires;

CREATE SINK q9 AS
SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category,
       extra, auction, bidder, price, bid_date_time, bid_extra, _op
FROM (SELECT *,
             ROW_NUMBER() OVER (PARTITION BY id ORDER BY price DESC, bid_date_time ASC) AS rownum
      FROM q9_bids) AS ranked
WHERE rownum <= 1
INTO blackhole ();
