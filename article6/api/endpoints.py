from ninja import NinjaAPI

api = NinjaAPI(title="article6 API", version="1")
