-- Nexmark q3, local item suggestion: sellers in Oregon, Idaho or California and the ids of
-- their auctions in category 10. A regular join of two streams (unbounded state).
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '1000000');
CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', limit = '1000000');

CREATE SINK q3 AS
SELECT P.name, P.city, P.state, A.id
FROM auction AS A JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
INTO blackhole ();
