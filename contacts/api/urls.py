from csm_project.api.routing import PlatformRouter

router = PlatformRouter()

urlpatterns = router.urls
