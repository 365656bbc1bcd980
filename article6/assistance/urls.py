from django.urls import path

from article6.assistance import views, views_exports, views_matching

app_name = "assistance"
urlpatterns = [
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_edit, name="need_add"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/suggestions/", views_matching.need_suggestions, name="need_suggestions"),
    path("needs/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("needs/<int:pk>/evidence/<int:attachment>/", views.evidence_download, name="evidence"),
    path("needs/<int:pk>/evidence/<int:attachment>/remove/", views.evidence_remove, name="evidence_remove"),
    path("needs.<str:fmt>", views_exports.export_needs, name="export_needs"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/", views.offer_edit, name="offer_add"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/suggestions/", views_matching.offer_suggestions, name="offer_suggestions"),
    path("offers.<str:fmt>", views_exports.export_offers, name="export_offers"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/new/", views.commitment_edit, name="commitment_add"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/receipt/", views.confirm_receipt, name="confirm_receipt"),
    path("commitments.iati.xml", views.export_iati, name="export_iati"),
    path("commitments.<str:fmt>", views_exports.export_commitments, name="export_commitments"),
    path("matches/", views_matching.match_list, name="matches"),
    path("matches/propose/", views_matching.propose_match, name="propose_match"),
    path("matches/<int:pk>/", views_matching.match_detail, name="match"),
    path("matches/<int:pk>/answer/", views_matching.answer_match, name="answer_match"),
    path("matches/<int:pk>/propose-again/", views_matching.propose_again, name="propose_again"),
    path("history/<str:kind>/<int:pk>/", views.record_history, name="history"),
    path("funding/", views.funding, name="funding"),
    path("funding/gap.<str:fmt>", views_exports.export_gap, name="export_gap"),
    path("donors/", views.donor_view, name="donor"),
]
