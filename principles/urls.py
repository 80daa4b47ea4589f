from django.urls import path

from principles import views

app_name = "principles"

urlpatterns = [
    path("", views.index, name="index"),
    path("questions/", views.question_bank, name="questions"),
    path("principles/<slug:slug>/", views.principle_detail, name="detail"),
]
