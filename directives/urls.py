from django.urls import URLPattern, URLResolver, path

from .health import healthz
from .views import auth as auth_views
from .views import authorities as authority_views
from .views import calendar as calendar_views
from .views import conventions as convention_views
from .views import dashboard as dashboard_views
from .views import directives as directive_views
from .views import enforcement as enforcement_views
from .views import files as file_views
from .views import home as home_views
from .views import inbox as inbox_views
from .views import intake as intake_views
from .views import intake_inbox as intake_inbox_views
from .views import intake_mail as intake_mail_views
from .views import legal_desk as legal_desk_views
from .views import obligations as obligation_views
from .views import people as people_views
from .views import products as product_views
from .views import reports as report_views
from .views import search as search_views
from .views import tasks as task_views
from .views import timeline as timeline_views
from .views import webhooks as webhook_views

# Each area's module contributes its own urlpatterns (see directives/views/), so that wiring a page in
# an area needs no edit here.
urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    *auth_views.urlpatterns,
    *home_views.urlpatterns,
    *legal_desk_views.urlpatterns,
    *intake_views.urlpatterns,
    *intake_mail_views.urlpatterns,
    *intake_inbox_views.urlpatterns,
    *authority_views.urlpatterns,
    *product_views.urlpatterns,
    *convention_views.urlpatterns,
    *directive_views.urlpatterns,
    *enforcement_views.urlpatterns,
    *obligation_views.urlpatterns,
    *timeline_views.urlpatterns,
    *report_views.urlpatterns,
    *calendar_views.urlpatterns,
    *file_views.urlpatterns,
    *task_views.urlpatterns,
    *dashboard_views.urlpatterns,
    *search_views.urlpatterns,
    *people_views.urlpatterns,
    *inbox_views.urlpatterns,
    *webhook_views.urlpatterns,
]
