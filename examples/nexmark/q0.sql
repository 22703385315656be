-- Nexmark q0, pass-through: every bid, unchanged. Measures the cost of reading and writing.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q0 AS
SELECT auction, bidder, price, date_time, extra
FROM bid
INTO blackhole ();
