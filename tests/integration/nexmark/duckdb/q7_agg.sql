SELECT MAX(price) AS maxprice, make_timestamp(w) AS window_start,
       make_timestamp(w + 10000000) AS window_end
FROM (SELECT price, epoch_us(date_time) // 10000000 * 10000000 AS w FROM bid)
GROUP BY w
