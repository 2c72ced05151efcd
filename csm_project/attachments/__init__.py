"""Files attached to records (``sys_attachment``): content in Django storage, metadata in the database."""
