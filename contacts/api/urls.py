from django.urls import include, path

from contacts.api.account_consumer import AccountViewSet, ConsumerViewSet
from contacts.api.views import ContactViewSet
from contacts.directory.api.views import DirectoryContactViewSet
from csm_project.api.routing import PlatformRouter

# CSM Contact API (docs/contact-api.md): /api/now/contact and /api/now/v1/contact.
now = PlatformRouter()
now.register("contact", ContactViewSet, basename="contact")
# Account and Consumer APIs (docs/account-consumer-api.md): /api/now[/v1]/account, .../consumer.
now.register("account", AccountViewSet, basename="account")
now.register("consumer", ConsumerViewSet, basename="consumer")

urlpatterns = [path("now/", include(now.urls))]

# Contact-center Contacts API (docs/contact-center-api.md): /api/v2/contacts, unversioned router.
cc = PlatformRouter(versioned=False)
cc.register("contacts", DirectoryContactViewSet, basename="cc-contact")
urlpatterns += [path("v2/", include(cc.urls))]
