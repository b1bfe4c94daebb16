/** Partition maintenance queries (monthly RANGE partitions on request_time). */

/** Month starts (as timestamptz in the plan's timezone $2) from $3 months before to $4 months after the month of $1. */
export const MONTHS_AROUND = `
SELECT to_char(m, 'YYYY"m"MM') AS suffix, m AT TIME ZONE $2 AS lower_bound, (m + interval '1 month') AT TIME ZONE $2 AS upper_bound
FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE $2) - make_interval(months => $3::int),
                     date_trunc('month', $1::timestamptz AT TIME ZONE $2) + make_interval(months => $4::int),
                     interval '1 month') AS m`;

/** Attached partitions of a table with their bounds (the DEFAULT partition, if any, has none). */
export const PARTITIONS_OF = `
SELECT c.relname, c.reloptions,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS lower_bound,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper_bound
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass($1)
ORDER BY 2`;
