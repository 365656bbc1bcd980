from django.http import HttpResponse


def home(request):
    return HttpResponse("article6")


state_list = state_detail = organisation_list = home
