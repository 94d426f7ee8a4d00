-- The baseline of tests/bench/billing.sh: set-based SQL that writes the invoices and lines
-- `provisio invoice generate` writes for the seeded monthly services due by 2026-03-19 (one
-- invoice per client and due date, a line per service, each service's next invoice date moved
-- on a month). It does none of what provisio does besides: no credit applied, no checks, and
-- the "Invoice Created" mail only when invoice_mail.sql follows in the same transaction.
-- Invoices are matched to their lines by client and due date: the seeded database has no
-- other invoices. billing.sh wraps it in BEGIN ... COMMIT.
CREATE TEMP TABLE due AS
  SELECT s.id, s.client_id, s.next_invoice_date AS due_date, s.recurring_micros AS amount,
         p.name || CASE WHEN s.domain <> '' THEN ' - ' || s.domain ELSE '' END AS label,
         date(s.next_invoice_date, '+1 month', '-1 day') AS period_end
  FROM services s JOIN products p ON p.id = s.product_id
  WHERE s.status IN ('Active', 'Suspended') AND s.billing_cycle = 'monthly' AND s.next_invoice_date <= '2026-03-19';
INSERT INTO invoices (client_id, status, kind, invoice_date, due_date, subtotal_micros, created_at)
  SELECT client_id, 'Unpaid', 'renewal', '2026-03-05', due_date, sum(amount), '2026-03-05T12:00:00Z'
  FROM due GROUP BY client_id, due_date ORDER BY client_id, due_date;
INSERT INTO invoice_items (invoice_id, item_type, item_id, description, amount_micros, due_date, period_end, natural_key)
  SELECT i.id, 'service', d.id, d.label || ' (' || d.due_date || ' - ' || d.period_end || ')', d.amount, d.due_date, d.period_end,
         'service:' || d.id || ':' || d.due_date
  FROM due d CROSS JOIN invoices i INDEXED BY invoices_client ON i.client_id = d.client_id AND i.due_date = d.due_date
  ORDER BY i.id, d.id;
UPDATE services SET next_invoice_date = date(next_invoice_date, '+1 month') WHERE id IN (SELECT id FROM due);
