-- Names are not unique (DRIFT.md): a baseline made from a tenant or an export that holds
-- several policies of one kind and name keeps them all. Such an item's `name` is its key
-- (`name [id]`, unique within the version, what findings and rules refer to) and
-- `match_name` the policy's own name, matched against tenant items. NULL when the key is
-- the name.
ALTER TABLE baseline_items ADD COLUMN match_name TEXT;
