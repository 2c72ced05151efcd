"""The platform's own tables that describe it (docs/table-api.md, "Metadata tables"):
``sys_db_object``, ``sys_dictionary``, ``sys_glide_object`` and ``sys_script`` are derived from
the registry, the models and the registered table rules (``catalogue``); ``sys_user_has_role``
is a database view over the role grants (``grants``). Both are brought in step after every
``migrate`` (and after a flush), so what they say is what the code does."""
