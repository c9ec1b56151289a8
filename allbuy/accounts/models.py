from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """AllBuy's own user model from day one; the privacy core fills it in (encrypted profile fields)."""
