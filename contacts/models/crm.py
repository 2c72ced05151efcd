"""CSM records: accounts, consumers, locations, contacts and their social media profiles."""

from typing import ClassVar

from django.db import models
from django.db.models.functions import Lower

from contacts.list_keys import KEYS
from csm_project.core.models import NumberedRecord, SysRecord, User


class Account(NumberedRecord):
    """A business customer (``customer_account``); contacts belong to one. Its fields are the
    Account API's (docs/account-consumer-api.md); ``industry`` is ours."""

    sys_table = "customer_account"
    NUMBER_PREFIX = "ACCT"
    sys_choice_fields = ("rank_tier",)
    sys_id_fields = ("active_escalation",)

    name = models.CharField(max_length=255)
    phone = models.CharField(max_length=40, null=True, blank=True)
    fax_phone = models.CharField(max_length=40, null=True, blank=True)
    website = models.CharField(max_length=1024, null=True, blank=True)
    street = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    state = models.CharField(max_length=100, null=True, blank=True)
    zip = models.CharField(max_length=40, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lat_long_error = models.CharField(max_length=1000, null=True, blank=True)
    industry = models.CharField(max_length=100, null=True, blank=True)
    customer = models.BooleanField(default=True)
    partner = models.BooleanField(default=False)
    vendor = models.BooleanField(default=False)
    manufacturer = models.BooleanField(default=False)
    primary = models.BooleanField(default=False)
    publicly_traded = models.BooleanField(default=False)
    notes = models.TextField(null=True, blank=True)
    account_code = models.CharField(max_length=255, null=True, blank=True)
    account_parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_accounts"
    )
    account_path = models.CharField(max_length=255, null=True, blank=True)
    #: The platform's core_company parent; here another account.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    primary_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: A sn_customerservice_escalation sys_id (no such table here yet).
    active_escalation = models.CharField(max_length=32, null=True, blank=True)
    rank_tier = models.CharField(max_length=40, null=True, blank=True)
    registration_code = models.CharField(max_length=40, null=True, blank=True)
    #: Amounts as the platform's number fields give them ("0", "1250000.5").
    discount = models.FloatField(null=True, blank=True)
    market_cap = models.FloatField(null=True, blank=True, default=0)
    profits = models.FloatField(null=True, blank=True, default=0)
    revenue_per_year = models.FloatField(null=True, blank=True, default=0)
    num_employees = models.IntegerField(null=True, blank=True)
    fiscal_year = models.CharField(max_length=40, null=True, blank=True)
    stock_price = models.CharField(max_length=40, null=True, blank=True)
    stock_symbol = models.CharField(max_length=40, null=True, blank=True)
    #: Images, portal theme, vendor lists: stored as the strings given (file names, sys_ids).
    apple_icon = models.CharField(max_length=255, null=True, blank=True)
    banner_image = models.CharField(max_length=255, null=True, blank=True)
    banner_image_light = models.CharField(max_length=255, null=True, blank=True)
    banner_text = models.CharField(max_length=4000, null=True, blank=True)
    theme = models.CharField(max_length=32, null=True, blank=True)
    vendor_manager = models.CharField(max_length=4000, null=True, blank=True)
    vendor_type = models.CharField(max_length=4000, null=True, blank=True)

    class Meta:
        db_table = "customer_account"
        # References are given and queried by display value (the name), without regard to case.
        indexes = [models.Index(Lower("name"), name="customer_account_name_ci_idx")]

    def __str__(self) -> str:
        return self.name


class Consumer(NumberedRecord):
    """A person buying for themselves (``csm_consumer``), with the Consumer API's fields
    (docs/account-consumer-api.md). ``user`` is the consumer's login, if it has one: the
    platform's csm_consumer_user extends sys_user, so here it is a sys_user reference."""

    sys_table = "csm_consumer"
    NUMBER_PREFIX = "CSMR"
    sys_choice_fields = ("date_format", "time_format")

    prefix = models.CharField(max_length=40, null=True, blank=True)
    first_name = models.CharField(max_length=100, null=True, blank=True)
    middle_name = models.CharField(max_length=100, null=True, blank=True)
    last_name = models.CharField(max_length=100, null=True, blank=True)
    suffix = models.CharField(max_length=40, null=True, blank=True)
    name = models.CharField(max_length=255, null=True, blank=True)
    title = models.CharField(max_length=60, null=True, blank=True)
    gender = models.CharField(max_length=40, null=True, blank=True)
    email = models.CharField(max_length=255, null=True, blank=True)
    business_phone = models.CharField("business phone", max_length=40, null=True, blank=True)
    mobile_phone = models.CharField(max_length=40, null=True, blank=True)
    home_phone = models.CharField(max_length=40, null=True, blank=True)
    fax = models.CharField(max_length=40, null=True, blank=True)
    street = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    state = models.CharField(max_length=100, null=True, blank=True)
    zip = models.CharField(max_length=40, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    notes = models.CharField(max_length=4000, null=True, blank=True)
    notification = models.IntegerField(null=True, blank=True, default=2)
    preferred_language = models.CharField(max_length=3, null=True, blank=True)
    date_format = models.CharField(max_length=40, null=True, blank=True)
    time_format = models.CharField(max_length=40, null=True, blank=True)
    time_zone = models.CharField(max_length=40, null=True, blank=True)
    photo = models.CharField(max_length=255, null=True, blank=True)
    #: A csm_household sys_id (no such table here yet).
    household = models.CharField(max_length=32, null=True, blank=True)
    primary = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="consumers")

    class Meta:
        db_table = "csm_consumer"

    def __str__(self) -> str:
        return self.name or self.number or self.sys_id

    def save(self, *args, **kwargs) -> None:
        if self.name is None:
            parts = (self.first_name, self.middle_name, self.last_name)
            self.name = " ".join(part for part in parts if part) or None
        super().save(*args, **kwargs)


class Location(SysRecord):
    """A place (``cmn_location``) a contact works at."""

    sys_table = "cmn_location"

    name = models.CharField(max_length=255)
    street = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    state = models.CharField(max_length=100, null=True, blank=True)
    zip = models.CharField(max_length=40, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "cmn_location"

    def __str__(self) -> str:
        return self.name


class Contact(User):
    """A customer contact (``customer_contact``): a user record that belongs to an account.

    It extends ``sys_user`` (multi-table inheritance), so a contact has a user name and can be
    given a login. References the product models (account, company, manager, location) are
    real foreign keys; the platform's other reference fields (department, cost center,
    schedule, ...) are stored as the strings given.
    """

    sys_table = "customer_contact"
    #: Sort keys of sys_user fields kept on customer_contact (contacts/list_keys.py): a list
    #: sorted by one of them is sorted by the column named here, which its indexes serve.
    list_sort_keys: ClassVar[dict[str, str]] = KEYS

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    company = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    agent_status = models.CharField(max_length=40, null=True, blank=True)
    building = models.CharField(max_length=255, null=True, blank=True)
    calendar_integration = models.IntegerField(null=True, blank=True, default=1)
    city = models.CharField(max_length=100, null=True, blank=True)
    cost_center = models.CharField(max_length=255, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    date_format = models.CharField(max_length=40, null=True, blank=True)
    default_perspective = models.CharField(max_length=255, null=True, blank=True)
    department = models.CharField(max_length=255, null=True, blank=True)
    edu_status = models.CharField(max_length=40, null=True, blank=True)
    enable_multifactor_authn = models.BooleanField(default=False)
    failed_attempts = models.IntegerField(null=True, blank=True)
    gender = models.CharField(max_length=40, null=True, blank=True)
    geolocation_tracked = models.BooleanField(default=False)
    home_phone = models.CharField(max_length=40, null=True, blank=True)
    internal_integration_user = models.BooleanField(default=False)
    introduction = models.CharField(max_length=40, null=True, blank=True)
    last_login_device = models.CharField(max_length=255, null=True, blank=True)
    last_login_time = models.DateTimeField(null=True, blank=True)
    last_position_update = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    ldap_server = models.CharField(max_length=255, null=True, blank=True)
    locked_out = models.BooleanField(default=False)
    longitude = models.FloatField(null=True, blank=True)
    notification = models.IntegerField(null=True, blank=True, default=2)
    on_schedule = models.CharField(max_length=40, null=True, blank=True)
    photo = models.CharField(max_length=255, null=True, blank=True)
    preferred_language = models.CharField(max_length=40, null=True, blank=True)
    schedule = models.CharField(max_length=255, null=True, blank=True)
    source = models.CharField(max_length=255, null=True, blank=True)
    state = models.CharField(max_length=100, null=True, blank=True)
    street = models.TextField(null=True, blank=True)
    time_format = models.CharField(max_length=40, null=True, blank=True)
    time_sheet_policy = models.CharField(max_length=255, null=True, blank=True)
    vip = models.BooleanField(default=False)
    web_service_access_only = models.BooleanField(default=False)
    zip = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        db_table = "customer_contact"

    def __str__(self) -> str:
        return self.name or self.user_name


class SocialChannel(SysRecord):
    """A social network (``sn_app_cs_social_social_channel``), e.g. Twitter."""

    sys_table = "sn_app_cs_social_social_channel"

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        db_table = "sn_app_cs_social_social_channel"

    def __str__(self) -> str:
        return self.name


class SocialProfile(SysRecord):
    """A contact's or a consumer's profile on a social channel (``sn_app_cs_social_social_profile``)."""

    sys_table = "sn_app_cs_social_social_profile"
    sys_display_field = "social_id"

    channel = models.ForeignKey(SocialChannel, on_delete=models.PROTECT, related_name="profiles")
    social_id = models.CharField("handle", max_length=255)
    profile_url = models.CharField(max_length=1024, null=True, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="social_profiles"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    consumer = models.ForeignKey(
        Consumer, null=True, blank=True, on_delete=models.CASCADE, related_name="social_profiles"
    )

    class Meta:
        db_table = "sn_app_cs_social_social_profile"

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.social_id}"
