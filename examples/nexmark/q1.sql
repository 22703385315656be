-- Nexmark q1, currency conversion: each bid's price from dollars to euros.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q1 AS
SELECT auction, bidder, 0.908 * price AS price, date_time, extra
FROM bid
INTO blackhole ();
