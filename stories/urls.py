from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.bank, name="bank"),
    path("coverage/", views.coverage, name="coverage"),
]
