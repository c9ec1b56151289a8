from ninja import NinjaAPI

api = NinjaAPI(title="AllBuy API", version="1", urls_namespace="api", docs_url="/docs", openapi_url="/openapi.json")
