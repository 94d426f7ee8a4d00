-- The second half of billing.sh's "every row" baseline, after invoice_generation.sql in the same
-- transaction: the "Invoice Created" mail of each invoice just written, rendered from the stored
-- template with replace() as an operator's SQL would, queued to the client's address. The seeded
-- clients have no contacts and no credit, so recipients are the client alone and the balance due
-- is the total. Amounts are whole cents in the seed, so two decimals render them exactly.
INSERT INTO mail_outbox (recipients, subject, body, template, client_id, natural_key, created_at)
  SELECT c.email,
         replace(replace(t.subject, '{$invoice_id}', i.id), '{$invoice_due_date}', i.due_date),
         replace(replace(replace(replace(replace(replace(replace(t.body,
           '{$client_name}', c.first_name || CASE WHEN c.last_name <> '' THEN ' ' || c.last_name ELSE '' END),
           '{$invoice_id}', i.id),
           '{$invoice_date}', i.invoice_date),
           '{$invoice_due_date}', i.due_date),
           '{$invoice_items}', (SELECT group_concat(line, '') FROM (
               SELECT description || '  ' || printf('%d.%02d', amount_micros / 1000000, amount_micros % 1000000 / 10000) || char(10) AS line
               FROM invoice_items WHERE invoice_id = i.id ORDER BY id))),
           '{$invoice_total}', printf('%d.%02d', i.subtotal_micros / 1000000, i.subtotal_micros % 1000000 / 10000)),
           '{$invoice_balance}', printf('%d.%02d', i.subtotal_micros / 1000000, i.subtotal_micros % 1000000 / 10000)),
         'Invoice Created', i.client_id, 'invoice:' || i.id || ':created', i.created_at
  FROM invoices i JOIN clients c ON c.id = i.client_id JOIN mail_templates t ON t.name = 'Invoice Created'
  WHERE i.created_at = '2026-03-05T12:00:00Z'
  ORDER BY i.id;
