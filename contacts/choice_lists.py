"""The choice lists of the account and consumer fields the Account and Consumer API pages
document (value, label), stored as ``sys_choice`` rows by migration 0008 of this app."""

CHOICES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "customer_account": {
        "rank_tier": (
            ("blacklist", "Blacklist"),
            ("strategic", "Strategic"),
            ("tactical", "Tactical"),
            ("valued", "Valued"),
            ("other", "Other"),
        ),
    },
    "csm_consumer": {
        "date_format": (
            ("dd-mm-yyyy", "dd-mm-yyyy"),
            ("dd/mm/yyyy", "dd/mm/yyyy"),
            ("dd.mm.yyyy", "dd.mm.yyyy"),
            ("mm-dd-yyyy", "mm-dd-yyyy"),
            ("yyyy-mm-dd", "yyyy-mm-dd"),
        ),
        "time_format": (
            ("hh.mm.ss a", "hh.mm.ss (12 hour)"),
            ("hh:mm:ss a", "hh:mm:ss (12 hour)"),
            ("HH.mm.ss", "hh.mm.ss (24 hour)"),
            ("HH:mm:ss", "hh:mm:ss (24 hour)"),
        ),
    },
}
