"""Models of the contacts app: the CSM records (``crm``) and the contact-center directory."""

from contacts.models.crm import Account, Consumer, Contact, Location, SocialChannel, SocialProfile

__all__ = ["Account", "Consumer", "Contact", "Location", "SocialChannel", "SocialProfile"]
