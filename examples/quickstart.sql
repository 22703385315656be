-- sluice quickstart: Nexmark auction bids, a 10-second windowed aggregate and a filtered
-- stream, delivered to JSON-lines files and the console. Runs in about five seconds.
--
--   build/release/tools/sluice run examples/quickstart.sql

-- 500,000 generated events (92% of them bids) at 100,000 events/s of wall time. Event time
-- advances 10,000 events/s, so each 10-second window holds 100,000 events.
CREATE SOURCE bid WITH (
    connector = 'nexmark', table = 'bid',
    rate = '100000', event.rate = '10000', limit = '500000', seed = '42');

-- Per 10 seconds of event time: bids, bidders and the top price of the busiest auctions.
CREATE STREAM busy_auctions AS
    SELECT auction, window_start, window_end,
           COUNT(*) AS bids, COUNT(DISTINCT bidder) AS bidders, MAX(price) / 100.0 AS top_dollars
    FROM bid
    GROUP BY auction, TUMBLE(date_time, INTERVAL '10' SECOND)
    HAVING COUNT(*) >= 500
    EMIT ON WINDOW CLOSE;

-- Bids over $900,000 from the four named channels.
CREATE STREAM big_bids AS
    SELECT auction, bidder, price / 100.0 AS dollars, channel, date_time
    FROM bid
    WHERE price > 90000000 AND channel IN ('Google', 'Facebook', 'Baidu', 'Apple');

CREATE SINK busy_out FROM busy_auctions INTO file (path = 'out/busy_auctions', format = 'jsonl');
CREATE SINK big_out FROM big_bids INTO file (path = 'out/big_bids', format = 'jsonl', flush.interval = '500ms');
-- One line per window on the console.
CREATE STREAM window_summary AS
    SELECT window_start, COUNT(*) AS bids, COUNT(DISTINCT auction) AS auctions,
           COUNT(DISTINCT bidder) AS bidders, MAX(price) / 100.0 AS top_dollars
    FROM bid
    GROUP BY TUMBLE(date_time, INTERVAL '10' SECOND);
CREATE SINK show FROM window_summary INTO console (format = 'table');
