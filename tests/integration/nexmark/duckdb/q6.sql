SELECT seller,
       AVG(price) OVER (PARTITION BY seller ORDER BY date_time, price
                        ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_price
FROM (SELECT id, seller, price, date_time
      FROM (SELECT A.id, A.seller, B.price, B.date_time,
                   ROW_NUMBER() OVER (PARTITION BY A.id, A.seller
                                      ORDER BY B.price DESC, B.date_time ASC) AS rownum
            FROM auction A JOIN bid B
              ON A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires)
      WHERE rownum <= 1)
