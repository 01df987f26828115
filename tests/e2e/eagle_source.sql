-- tests/e2e/eagle_source.sql - the source of examples/eagle_ford.wmap for
-- the end-to-end tests (MariaDB): the two tables its plan reads
-- (`wellosc plan examples/eagle_ford.wmap`), with clean rows and the bad
-- rows the tests expect in wellos_sync_rejects.
SET NAMES utf8mb4;
SET time_zone = '+00:00';

CREATE TABLE wells_master (
    well_uuid   VARCHAR(40)  NOT NULL PRIMARY KEY,
    well_name   VARCHAR(255),
    api_no      VARCHAR(14),
    lat_deg     DECIMAL(9,6),
    lon_deg     DECIMAL(9,6),
    well_status VARCHAR(30),
    lease_name  VARCHAR(100),
    created     DATETIME
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE daily_volumes (
    volume_id     BIGINT      NOT NULL PRIMARY KEY,
    well_uuid     VARCHAR(40),
    prod_day      VARCHAR(10),
    oil_bbl       VARCHAR(20),
    gas_mcf       VARCHAR(20),
    water_bbl     VARCHAR(20),
    last_modified DATETIME(6),
    KEY (last_modified)
) DEFAULT CHARSET = utf8mb4;

-- 40 good wells; well 7's id is in upper case (WellOS stores it lower case)
INSERT INTO wells_master
SELECT IF(seq = 7, UPPER(CONCAT('ef000000-0000-4000-a000-', LPAD(seq, 12, '0'))),
          CONCAT('ef000000-0000-4000-a000-', LPAD(seq, 12, '0'))),
       CONCAT(IF(seq % 2 = 0, '  ', ''), ELT(1 + seq % 3, 'Kennedy', 'Peña Creek', 'Briscoe'), ' ', seq, 'H',
              IF(seq % 3 = 0, ' ', '')),
       CONCAT('4228', LPAD(seq, 8, '0'), '00'),
       28.500000 + seq / 1000,
       -98.200000 - seq / 1000,
       ELT(1 + seq % 5, 'Producing', ' producing ', 'SHUT IN', 'Plugged', 'abandoned'),
       ELT(1 + seq % 3, ' kennedy ranch', 'Peña Creek ', 'BRISCOE unit'),
       TIMESTAMP '2019-05-01 08:00:00' + INTERVAL seq DAY + INTERVAL seq MINUTE
FROM seq_1_to_40;

-- wells the agent rejects
INSERT INTO wells_master VALUES
    ('ef000000-0000-4000-a000-000000000041', 'Drilling 41', '42280000004100', 28.6, -98.3, 'drilling', 'Kennedy Ranch', '2024-01-01 00:00:00'),
    ('ef000000-0000-4000-a000-000000000042', 'No status 42', '42280000004200', 28.6, -98.3, NULL, 'Kennedy Ranch', '2024-01-01 00:00:00'),
    ('ef000000-0000-4000-a000-000000000043', 'Off the map 43', '42280000004300', 95.0, -98.3, 'producing', 'Kennedy Ranch', '2024-01-01 00:00:00'),
    ('not-a-uuid', 'Bad id', '42280000004400', 28.6, -98.3, 'producing', 'Kennedy Ranch', '2024-01-01 00:00:00');

-- 400 good daily volumes over 10 days of 40 wells; last_modified one
-- second apart from 2025-03-01 00:00:00 (volume n at n seconds)
INSERT INTO daily_volumes
SELECT seq,
       IF(1 + seq % 40 = 7, UPPER(CONCAT('ef000000-0000-4000-a000-', LPAD(1 + seq % 40, 12, '0'))),
          CONCAT('ef000000-0000-4000-a000-', LPAD(1 + seq % 40, 12, '0'))),
       DATE_FORMAT(DATE '2025-02-01' + INTERVAL (seq DIV 40) DAY, '%d/%m/%Y'),
       CONCAT(IF(seq % 11 = 0, ' ', ''), 100 + seq % 50, '.', LPAD(seq % 100, 2, '0')),
       IF(seq % 17 = 0, NULL, CONCAT(300 + seq % 70, '.5')),
       IF(seq % 13 = 0, NULL, CONCAT(20 + seq % 9)),
       TIMESTAMP '2025-03-01 00:00:00' + INTERVAL seq SECOND
FROM seq_1_to_400;

-- volumes the agent rejects
INSERT INTO daily_volumes VALUES
    (401, 'ef000000-0000-4000-a000-000000000001', '31/02/2025', '1.00', '1.0', '1', '2025-03-01 00:06:41'),
    (402, 'ef000000-0000-4000-a000-000000000001', '01/03/2025', '1,234.50', '1.0', '1', '2025-03-01 00:06:42'),
    (403, 'ef000000-0000-4000-a000-000000000001', '01/03/2025', '1.00', '1.0', 'n/a', '2025-03-01 00:06:43'),
    (404, 'ef000000-0000-4000-a000-000000000001', '01/03/2025', '12.345', '1.0', '1', '2025-03-01 00:06:44'),
    (405, 'ef000000-0000-4000-a000-000000000001', '01/03/2025', '1.00', '1.0', '1', NULL),
    (406, 'ef000000-0000-4000-a000-000000000002', '02/03/2025', '2.00', '2.0', '2', NULL);
