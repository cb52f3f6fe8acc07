from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("password/", views.password_change, name="password_change"),
    path("organization/", views.organization, name="organization"),
    path("organization/<int:pk>/resubmit/", views.organization_resubmit, name="organization_resubmit"),
    path("organization/<int:pk>/members/", views.organization_member_add, name="organization_member_add"),
    path(
        "organization/<int:pk>/members/<int:user_id>/remove/",
        views.organization_member_remove,
        name="organization_member_remove",
    ),
    path("organization/<int:pk>/leave/", views.organization_leave, name="organization_leave"),
    path(
        "invitations/<int:pk>/accept/",
        views.invitation_answer,
        {"answer": "accept"},
        name="invitation_accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        views.invitation_answer,
        {"answer": "decline"},
        name="invitation_decline",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("console/organizations/", views.console_organizations, name="console_organizations"),
    path(
        "console/organizations/<int:pk>/",
        views.console_organization_review,
        name="console_organization_review",
    ),
]
