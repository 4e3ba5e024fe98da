-- The store's installation id and the first execution id whose keys carry it (one row, made by V006).
SELECT id, keys_from FROM installation;
