-- One definition by content hash (primary key lookup).
SELECT hash, name, definition FROM "${schema}".workflows WHERE hash = :hash;
