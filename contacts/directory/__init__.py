"""The contact-center directory (docs/contact-center-api.md): ``selectors`` (reads over users,
queues and Custom contacts), ``services`` (writes of Custom contacts), ``api`` (the Contacts API
at ``/api/v2/contacts``) and ``demo``. Its model, ``CustomContact``, stays in ``contacts.models``
where its migrations are."""
