from django.urls import include, path

from contacts.api.views import ContactViewSet
from contacts.directory.api.views import DirectoryContactViewSet
from csm_project.api.routing import PlatformRouter

# CSM Contact API (docs/contact-api.md): /api/now/contact and /api/now/v1/contact.
now = PlatformRouter()
now.register("contact", ContactViewSet, basename="contact")

urlpatterns = [path("now/", include(now.urls))]

# Contact-center Contacts API (docs/contact-center-api.md): /api/v2/contacts, unversioned router.
cc = PlatformRouter(versioned=False)
cc.register("contacts", DirectoryContactViewSet, basename="cc-contact")
urlpatterns += [path("v2/", include(cc.urls))]
