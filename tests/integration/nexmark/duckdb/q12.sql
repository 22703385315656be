-- q12 counts bids per bidder in windows of processing time, which no batch engine can
-- reproduce: which window a bid falls into depends on when sluice processed it. What is a
-- function of the input is checked instead (compare.mjs, "processing-time queries"): per
-- bidder, the bid_count of all of sluice's windows adds up to this count.
SELECT bidder, COUNT(*) AS bid_count
FROM bid
GROUP BY bidder
