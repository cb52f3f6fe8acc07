from django.urls import path

from . import views

urlpatterns = [
    path("accounts/register/", views.RegisterView.as_view(), name="register"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/tokens/", views.ApiTokensView.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", views.ApiTokenDetailView.as_view(), name="token-detail"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("me/", views.MeView.as_view(), name="me"),
    path(
        "notification-preferences/",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notification-preferences/<str:kind>/",
        views.NotificationPreferenceDetailView.as_view(),
        name="notification-preference-detail",
    ),
    path("organizations/", views.OrganizationCreateView.as_view(), name="organization-create"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization-detail"),
    path(
        "organizations/<int:pk>/review/", views.OrganizationReviewView.as_view(), name="organization-review"
    ),
    path(
        "organizations/<int:pk>/members/",
        views.OrganizationMembersView.as_view(),
        name="organization-members",
    ),
    path("organizations/<int:pk>/leave/", views.OrganizationLeaveView.as_view(), name="organization-leave"),
    path("invitations/", views.InvitationsView.as_view(), name="invitations"),
    path(
        "invitations/<int:pk>/accept/",
        views.InvitationAnswerView.as_view(answer="accept"),
        name="invitation-accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        views.InvitationAnswerView.as_view(answer="decline"),
        name="invitation-decline",
    ),
    path(
        "organizations/<int:pk>/members/<int:user_id>/",
        views.OrganizationMemberDetailView.as_view(),
        name="organization-member-detail",
    ),
]
