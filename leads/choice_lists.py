"""The lead choice lists a new instance starts with (stage, rating, type, source, industry).

They are data, not code: migration 0004 stores them as ``sys_choice`` rows, which staff may
extend or relabel in the admin, and every write path validates against those rows. This module
is only the starting content (and what the demo data draws its random values from).
"""

CHOICES = {
    "stage": [("100_new", "New"), ("200_contacted", "Contacted"), ("300_nurturing", "Nurturing"),
              ("400_closed_won", "Qualified"), ("500_closed_lost", "Disqualified")],
    "lead_rating": [("100_cold", "Cold"), ("200_warm", "Warm"), ("300_hot", "Hot"),
                    ("400_super_hot", "Super Hot")],
    "lead_type": [("new_business", "New Business"), ("existing_business", "Existing Business")],
    "lead_source": [("inbound_phone", "Inbound Phone"), ("inbound_web", "Inbound Web"),
                    ("partner_referral", "Partner Referral"), ("third_party_referral", "Third Party Referral"),
                    ("employee_referral", "Employee Referral"), ("list", "List"), ("trade_show", "Trade Show"),
                    ("pr", "PR"), ("display_ad", "Display Ad"), ("billboard", "Billboard"),
                    ("ai_suggested", "AI Suggested"), ("other", "Other")],
    "industry": [("manufacturing", "Manufacturing"), ("healthcare", "Healthcare"),
                 ("technology_services", "Technology Services"), ("banking", "Banking"),
                 ("bio_technology", "Bio Technology"), ("telecommunications", "Telecommunications")],
}  # fmt: skip
