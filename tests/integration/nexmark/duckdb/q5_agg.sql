-- HOP(date_time, 2 s, 10 s): each bid in the five windows [s, s + 10 s), s a multiple of 2 s.
SELECT auction, COUNT(*) AS num, make_timestamp(w) AS starttime,
       make_timestamp(w + 10000000) AS endtime
FROM (SELECT auction, (epoch_us(date_time) // 2000000 - k) * 2000000 AS w
      FROM bid, range(5) AS t(k))
GROUP BY auction, w
