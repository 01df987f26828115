-- tests/e2e/bakken_source.sql - the source of examples/bakken_pg.wmap for
-- the end-to-end tests (PostgreSQL): the schema acct and the two tables
-- its plan reads (`wellosc plan examples/bakken_pg.wmap`).
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
CREATE SCHEMA acct;

CREATE TABLE acct.wells (
    well_id      uuid PRIMARY KEY,
    well_name    text,
    api14        varchar(14),
    surface_lat  double precision,
    surface_lon  double precision,
    status_code  char(1),
    lease_name   text,
    lease_number integer,
    created_on   timestamptz
);

-- 30 wells; well 9 has no lease number, so no lease (concatenating NULL)
INSERT INTO acct.wells
SELECT ('b0000000-0000-4000-b000-' || lpad(g::text, 12, '0'))::uuid,
       'Bakken ' || g || CASE WHEN g % 4 = 0 THEN ' Federal' ELSE '' END,
       '3305300' || lpad(g::text, 5, '0') || '00',
       47.9 + g / 1000.0,
       -103.1 - g / 1000.0,
       (ARRAY['A', 'A', 'I', 'P'])[1 + g % 4],
       (ARRAY['Tioga', 'Parshall', 'Stanley'])[1 + g % 3],
       CASE WHEN g = 9 THEN NULL ELSE 100 + g END,
       timestamptz '2018-06-01 00:00:00+00' + g * interval '3 days 1 hour 7 seconds'
FROM generate_series(1, 30) g;

-- a status code the map does not know: rejected (Well is `on error reject`)
INSERT INTO acct.wells VALUES
    ('b0000000-0000-4000-b000-000000000031', 'Bakken 31', '33053000003100', 47.95, -103.15, 'X', 'Tioga', 131,
     '2020-01-01 00:00:00+00');

CREATE TABLE acct.monthly_allocations (
    allocation_id bigint PRIMARY KEY,
    well_id       uuid,
    period_start  date,
    oil_m3        numeric(14,3),
    gas_e3m3      numeric(14,3),
    water_m3      numeric(14,3),
    posted_at     timestamptz,
    revised_at    timestamptz
);

-- 360 allocations: 12 months of 30 wells, posted a minute apart from
-- 2024-06-01 00:00; every tenth revised two days after it was posted
INSERT INTO acct.monthly_allocations
SELECT g,
       ('b0000000-0000-4000-b000-' || lpad((1 + g % 30)::text, 12, '0'))::uuid,
       date '2023-01-01' + ((g - 1) / 30) * interval '1 month',
       round((g * 7.919) % 900, 3),
       round((g * 3.141) % 400, 3),
       CASE WHEN g % 23 = 0 THEN NULL ELSE round((g * 1.733) % 250, 3) END,
       timestamptz '2024-06-01 00:00:00+00' + g * interval '1 minute',
       CASE WHEN g % 10 = 0 THEN timestamptz '2024-06-01 00:00:00+00' + g * interval '1 minute' + interval '2 days' END
FROM generate_series(1, 360) g;

-- posted_at and revised_at both NULL (`nulls include`: read every run)
INSERT INTO acct.monthly_allocations VALUES
    (361, 'b0000000-0000-4000-b000-000000000001', '2024-01-01', 1.000, 1.000, 1.000, NULL, NULL);
-- exact ties at the rounding digit: 500 m3 is 3144.905 bbl, 50 e3m3 is
-- 1765.735 mcf, 0.5 m3 is 3.144905 bbl
INSERT INTO acct.monthly_allocations VALUES
    (362, 'b0000000-0000-4000-b000-000000000002', '2024-01-01', 500, 50, 0.5,
     '2024-06-01 03:00:00+00', NULL);
