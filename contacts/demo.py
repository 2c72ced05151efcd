"""Demo records of the contacts app (CONTRACT §7), loaded by ``seed_demo``.

Every loader is idempotent: running ``seed_demo`` twice changes nothing.
"""

from contacts.directory_demo import load_directory


def load(*, stdout) -> None:
    """Load every demo data set of the app."""
    load_crm(stdout=stdout)
    load_directory(stdout=stdout)


# --- CSM records (issue 4): accounts, consumers, locations, contacts, social profiles ---------


def load_crm(*, stdout) -> None:
    """The records of the Contact API seed, the records other apps reference, and generated
    contacts enough to page through."""
    stdout.write("contacts: nothing yet")
