-- lone_star_source.sql - Lone Star Energy's legacy field database, the
-- source of the demo tenant (examples/lone_star.wmap), for MariaDB:
--
--   WellMaster         50 wells
--   ProductionRecords  2,820 daily volumes over the last 120 days
--   EquipmentMaster    100 pieces of equipment, two per well
--
-- Production dates are relative to the day the file is loaded (CURDATE()),
-- so the 90-day window of the ProductionRecord sync always cuts through
-- them: about three quarters are inside it.  The data is as messy as a
-- real legacy system's:
--   - lease names padded and in mixed case ('  smith ranch ', 'SMITH Ranch'),
--     well names with blanks around them, non-ASCII names (Peñasco Mesa);
--   - status words outside the map: 'Temp Abandoned' (wells 13 and 29) and
--     NULL (well 41): rejected, with their reasons (these three wells have
--     no production, and their equipment is in the yard: WellID NULL);
--   - NULL oil, gas and water volumes (the spec makes them 0);
--   - one production row whose WellID was typed by hand ('TBD'): rejected;
--   - equipment types in any case and spelling, two that the map does not
--     know (Heater Treater, VRU: OTHER), and one install date that is not
--     a date ('13/45/2019'): rejected.
-- Uses MariaDB's Sequence engine (seq_1_to_50) to generate rows.

SET NAMES utf8mb4;
SET time_zone = '+00:00';   -- "today" is UTC's, as for the agent's window

CREATE TABLE WellMaster (
    WellID      CHAR(36)     NOT NULL PRIMARY KEY,
    WellName    VARCHAR(100) NOT NULL,
    APINumber   VARCHAR(14),
    Latitude    DECIMAL(9,6),
    Longitude   DECIMAL(9,6),
    Status      VARCHAR(20),
    LeaseName   VARCHAR(100),
    CreatedDate DATETIME
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE ProductionRecords (
    RecordID       BIGINT   NOT NULL PRIMARY KEY,
    WellID         CHAR(36) NOT NULL,
    ProductionDate DATE     NOT NULL,
    OilVolume      DECIMAL(10,2),
    GasVolume      DECIMAL(10,2),
    WaterVolume    DECIMAL(10,2),
    KEY (ProductionDate)
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE EquipmentMaster (
    EquipmentGUID CHAR(36)    NOT NULL PRIMARY KEY,
    WellID        CHAR(36),
    EquipType     VARCHAR(30),
    Make          VARCHAR(60),
    Model         VARCHAR(60),
    SerialNo      VARCHAR(40) UNIQUE,
    InstallDate   VARCHAR(20),
    StatusCode    CHAR(2)
) DEFAULT CHARSET = utf8mb4;

-- ---- wells ---------------------------------------------------------------------
-- Eight leases, each written several ways.  Well n is on lease n % 8.
INSERT INTO WellMaster
SELECT CONCAT('4c5e57a0-0000-4000-8000-', LPAD(seq, 12, '0')),
       CONCAT(IF(seq % 5 = 0, '  ', ''),
              ELT(1 + seq % 8, 'Smith Ranch', 'Bar-X Unit', 'Wolfberry', 'Caprock', 'Peñasco Mesa',
                  'Llano', 'Big Spring', 'Comanche Draw'),
              ' ', seq, IF(seq % 3 = 0, 'H', ''),
              IF(seq % 7 = 0, ' ', '')),
       CONCAT('4231741', LPAD(seq * 37, 5, '0'), '00'),
       31.500000 + seq * 0.013000,
       -102.300000 - seq * 0.011000,
       ELT(1 + seq % 10, 'Active', 'Active', 'Active', 'Active', 'Active', 'Active', 'Active',
           'Shut-In', 'Shut-In', 'P&A'),
       ELT(1 + seq % 8,
           ELT(1 + seq % 3, '  smith ranch ', 'SMITH Ranch', 'Smith Ranch'),
           ELT(1 + seq % 3, 'Bar-X Unit', 'bar-x unit  ', 'BAR-X UNIT'),
           ELT(1 + seq % 2, ' Wolfberry', 'WOLFBERRY'),
           ELT(1 + seq % 2, 'Caprock', 'caprock  '),
           ELT(1 + seq % 2, 'Peñasco Mesa', ' peñasco mesa '),
           'Llano Estacado',
           ELT(1 + seq % 2, 'big spring', 'Big Spring'),
           'Comanche Draw  '),
       TIMESTAMP '2014-03-14 09:30:00' + INTERVAL seq * 41 DAY + INTERVAL seq * 17 MINUTE
FROM seq_1_to_50;

-- status words the spec does not know: rejected with their reasons
UPDATE WellMaster SET Status = 'Temp Abandoned'
 WHERE WellID IN ('4c5e57a0-0000-4000-8000-000000000013', '4c5e57a0-0000-4000-8000-000000000029');
UPDATE WellMaster SET Status = NULL WHERE WellID = '4c5e57a0-0000-4000-8000-000000000041';

-- ---- daily production ------------------------------------------------------------
-- 120 days back from today; each day, the wells whose number has the day's
-- parity report, but for the three wells that are not producing (13, 29 and
-- 41: WellOS rejects them, and a production row for a well that is not in
-- the target could not be loaded).  RecordID grows with the date.
INSERT INTO ProductionRecords
SELECT (120 - d.seq) * 100 + w.seq,
       CONCAT('4c5e57a0-0000-4000-8000-', LPAD(w.seq, 12, '0')),
       CURDATE() - INTERVAL d.seq DAY,
       IF((w.seq * 31 + d.seq) % 97 = 5, NULL, ROUND(60 + (w.seq * 7) % 45 + (d.seq % 9) * 1.35, 2)),
       IF((w.seq * 17 + d.seq) % 113 = 9, NULL, ROUND((60 + (w.seq * 7) % 45) * 3.1 + d.seq % 11, 2)),
       IF((w.seq + d.seq * 3) % 89 = 0, NULL, ROUND((60 + (w.seq * 7) % 45) * 0.62 + d.seq % 5, 2))
FROM seq_0_to_119 d JOIN seq_1_to_50 w ON (w.seq + d.seq) % 2 = 0 AND w.seq NOT IN (13, 29, 41);

-- a well id typed by hand: not a uuid, rejected
UPDATE ProductionRecords SET WellID = 'TBD' WHERE RecordID = (120 - 3) * 100 + 11;

-- ---- equipment -----------------------------------------------------------------
-- Two pieces per well: equipment n is on well (n + 1) div 2.
INSERT INTO EquipmentMaster
SELECT CONCAT('e0a1b2c3-0000-4000-9000-', LPAD(seq, 12, '0')),
       CONCAT('4c5e57a0-0000-4000-8000-', LPAD((seq + 1) DIV 2, 12, '0')),
       ELT(1 + seq % 12, 'Pump Jack', ' pump jack', 'ESP', 'Gas Lift', 'gas lift ', 'Separator',
           'TANK', 'Compressor', 'Meter', 'Heater Treater', 'VRU', 'tank'),
       ELT(1 + seq % 5, ' Lufkin', 'Baker Hughes ', 'Ariel', 'Weatherford', 'Emerson'),
       CONCAT(ELT(1 + seq % 5, 'C-640D', 'Centurion', 'JGK/4', 'WFT-900', 'Micro Motion'), ' '),
       CONCAT('LS-', LPAD(seq * 101, 6, '0')),
       DATE_FORMAT(DATE '2015-01-05' + INTERVAL seq * 23 DAY, '%m/%d/%Y'),
       ELT(1 + seq % 10, 'OP', 'OP', 'OP', 'OP', 'OP', 'OP', 'MT', 'OP', 'FL', 'RT')
FROM seq_1_to_100;

-- the equipment of the three wells that are not producing is in the yard
UPDATE EquipmentMaster SET WellID = NULL
 WHERE WellID IN ('4c5e57a0-0000-4000-8000-000000000013', '4c5e57a0-0000-4000-8000-000000000029',
                  '4c5e57a0-0000-4000-8000-000000000041');

-- an install date that is no date: rejected
UPDATE EquipmentMaster SET InstallDate = '13/45/2019' WHERE EquipmentGUID = 'e0a1b2c3-0000-4000-9000-000000000064';
