"""The case choice lists a new instance starts with: states, priorities, contact types,
resolution codes and the other numbered lists the Case API page documents.

They are data, not code: migration 0002 stores them as ``sys_choice`` rows (staff may extend
or relabel them in the admin; every write checks against the rows). This module is only the
starting content, and what the life cycle and the demo data name.
"""

STATE_NEW = "1"
STATE_CLOSED = "3"
STATE_RESOLVED = "6"
STATE_CANCELLED = "7"
STATE_OPEN = "10"
STATE_AWAITING_INFO = "18"

CHOICES = {
    "state": [(STATE_NEW, "New"), (STATE_OPEN, "Open"), (STATE_AWAITING_INFO, "Awaiting Info"),
              (STATE_RESOLVED, "Resolved"), (STATE_CLOSED, "Closed"), (STATE_CANCELLED, "Cancelled")],
    "priority": [("1", "1 - Critical"), ("2", "2 - High"), ("3", "3 - Moderate"), ("4", "4 - Low")],
    "impact": [("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low")],
    "urgency": [("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low")],
    "category": [("0", "Question"), ("1", "Issue"), ("2", "Feature")],
    "escalation": [("0", "Normal"), ("1", "Moderate"), ("2", "High"), ("3", "Overdue")],
    "notify": [("1", "Do not notify"), ("2", "Send email"), ("3", "Telephone")],
    "contact_type": [("chat", "Chat"), ("email", "Email"), ("phone", "Phone"), ("social", "Social"),
                     ("web", "Web")],
    "resolution_code": [
        ("solved_fixed_by_support", "Solved - Fixed by Support/Guidance provided"),
        ("solved_workaround", "Solved - Workaround provided"),
        ("solved_by_customer", "Solved - Customer fixed it"),
        ("not_solved_not_reproducible", "Not Solved - Not reproducible"),
        ("not_solved_too_costly", "Not Solved - Too costly"),
    ],
}  # fmt: skip
