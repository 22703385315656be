-- Nexmark q4, average price per category: the winning (highest) bid of each auction among
-- the bids made while it was open, averaged per category.
--
-- The interval join needs constant bounds: an auction expires 10 to 59 s after it opens
-- (the generator's `expires`), so bids within 60 s of the auction are joined and the
-- WHERE keeps those before `expires`: the same pairs as Flink's
-- `B.date_time BETWEEN A.date_time AND A.expires`.
-- q4_final is an unwindowed aggregate (an auction's maximum rises as bids arrive), so it
-- emits updates: EMIT CHANGES makes each one a delete of the auction's old maximum and an
-- insert of the new one (`_op`). The outer AVG takes the deleted maximum back and adds the new
-- one (Flink's retraction, docs/sql.md "Aggregates over changes"), so each category averages
-- the current maximum of each of its auctions; its own output is a changelog too (`_op`).
-- Both sources are read in step (docs/sql.md, "Watermark alignment"): auctions are far cheaper
-- to make than bids, so unaligned the auction source reads ahead and its auctions wait in the
-- join for the bids' watermark. 1 s of drift is small beside the join's 60 s.
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000',
  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');

CREATE STREAM q4_final AS
SELECT MAX(B.price) AS final, A.category
FROM auction A JOIN bid B
  ON A.id = B.auction
 AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND
WHERE B.date_time <= A.expires
GROUP BY A.id, A.category
EMIT CHANGES;

CREATE SINK q4 AS
SELECT Q.category, AVG(Q.final) AS avg_final
FROM q4_final Q
GROUP BY Q.category
INTO blackhole ();
