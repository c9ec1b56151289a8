"""What can go wrong with personal data; each error names the field and key version involved, never a value."""

from allbuy.core.errors import ApplicationError


class PrivacyError(ApplicationError):
    code = "privacy_error"
    status = 403


class PurposeNotAllowed(PrivacyError):
    code = "purpose_not_allowed"


class KeyringError(Exception):
    """The master keyring is missing or malformed: a configuration problem, not a user error."""


class DecryptionError(Exception):
    """A stored value could not be decrypted. Never returns garbage or an empty value instead."""

    reason = "decryption failed"

    def __init__(self, *, field: str, key_version: int | None, detail: str = ""):
        self.field = field
        self.key_version = key_version
        message = f"{self.reason}: field {field}, master key version {key_version}"
        super().__init__(f"{message} ({detail})" if detail else message)


class CiphertextTampered(DecryptionError):
    reason = "ciphertext failed authentication (tampered, or encrypted under another key)"


class WrongMasterKey(DecryptionError):
    reason = "data key could not be unwrapped (wrong master key for this version)"


class MasterKeyRetired(DecryptionError):
    reason = "master key version is retired"


class MasterKeyUnknown(DecryptionError):
    reason = "master key version is not in the keyring"


class DataKeyShredded(DecryptionError):
    reason = "the data subject's key was destroyed (crypto-shredded)"
