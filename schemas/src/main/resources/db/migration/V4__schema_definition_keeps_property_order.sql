-- jsonb reorders object keys (shorter first), which reordered a dataset's columns relative to
-- the schema as written. json keeps the text exactly as registered; the fingerprint (computed
-- on a canonical form) and every reader (definition::text) are unchanged. Definitions already
-- stored keep the order jsonb gave them.
ALTER TABLE pulse.event_schemas ALTER COLUMN definition TYPE json USING definition::json;
