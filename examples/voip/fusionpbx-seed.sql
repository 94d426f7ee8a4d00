-- A FusionPBX domain for the demo: two gateways (one retired), an extension that exists
-- already but is disabled, and a day of calls in v_xml_cdr (2027-05-12, UTC epochs). The inbound
-- call is also recorded as its b-leg, as FusionPBX does when it logs b-legs; that one is not billed.
INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled) VALUES ('22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'true');
INSERT INTO v_gateways (gateway_uuid, domain_uuid, gateway, profile, enabled) VALUES
  ('33333333-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000001', 'carrier-a', 'external', 'true'),
  ('33333333-0000-4000-8000-000000000002', '22222222-0000-4000-8000-000000000001', 'carrier-b', 'external', 'true'),
  ('33333333-0000-4000-8000-000000000003', '22222222-0000-4000-8000-000000000001', 'old-carrier', 'external', 'false');
INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, limit_max, enabled) VALUES
  ('44444444-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000001', '2113', '5', 'false');
INSERT INTO v_xml_cdr (xml_cdr_uuid, domain_uuid, domain_name, direction, caller_id_number, caller_destination,
                       destination_number, start_epoch, answer_epoch, end_epoch, duration, billsec, hangup_cause, leg) VALUES
  ('55555555-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'outbound', '2112', '', '14165550101', 1810110000, 1810110006, 1810110188, 188, 182, 'NORMAL_CLEARING', 'a'),
  ('55555555-0000-4000-8000-000000000002', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'inbound', '16135550102', '5192229000', '2112', 1810116000, 1810116003, 1810116428, 428, 425, 'NORMAL_CLEARING', 'a'),
  ('55555555-0000-4000-8000-000000000003', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'outbound', '2113', '', '15195550103', 1810121000, 0, 1810121025, 25, 0, 'NO_ANSWER', 'a'),
  ('55555555-0000-4000-8000-000000000004', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'outbound', '2113', '', '442079460001', 1810130000, 1810130009, 1810130370, 370, 361, 'NORMAL_CLEARING', 'a'),
  ('55555555-0000-4000-8000-000000000005', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'local', '2112', '', '2113', 1810132000, 1810132002, 1810132062, 62, 60, 'NORMAL_CLEARING', 'a'),
  ('55555555-0000-4000-8000-000000000006', '22222222-0000-4000-8000-000000000001', 'mcon.wat5.example.ca', 'inbound', '16135550102', '5192229000', '2112', 1810116000, 1810116003, 1810116428, 428, 425, 'NORMAL_CLEARING', 'b');
