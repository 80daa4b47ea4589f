from django.urls import path

from principles import views

app_name = "principles"

urlpatterns = [
    path("", views.index, name="index"),
]
