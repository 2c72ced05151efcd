from django.urls import include, path

from contacts.api.directory_views import DirectoryContactViewSet
from contacts.api.views import ContactViewSet
from csm_project.api.routing import PlatformRouter

# CSM Contact API (issue 4, CONTRACT §3): /api/now/contact and /api/now/v1/contact.
now = PlatformRouter()
now.register("contact", ContactViewSet, basename="contact")

urlpatterns = [path("now/", include(now.urls))]

# Contact-center Contacts API (issue 7, CONTRACT §6): /api/v2/contacts, unversioned router.
cc = PlatformRouter(versioned=False)
cc.register("contacts", DirectoryContactViewSet, basename="cc-contact")
urlpatterns += [path("v2/", include(cc.urls))]
