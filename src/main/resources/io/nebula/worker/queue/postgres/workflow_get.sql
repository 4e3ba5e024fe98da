-- One definition by content hash (primary key lookup).
SELECT hash, name, definition FROM workflows WHERE hash = :hash;
