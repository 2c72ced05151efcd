"""Models of the contacts app: the CSM records (``crm``) and the contact-center directory."""

from contacts.models.crm import Account, Consumer, Contact, Location, SocialChannel, SocialProfile
from contacts.models.directory import CustomContact

__all__ = ["Account", "Consumer", "Contact", "CustomContact", "Location", "SocialChannel", "SocialProfile"]
