-- The municipal screens start from a municipality's organisations; without this index
-- the planner reads every mark of the region to find them.
CREATE INDEX organisations_municipality ON organisations (municipality_id);
