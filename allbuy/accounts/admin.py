from django.contrib import admin

from allbuy.accounts.models import User

admin.site.register(User)
