"""What can go wrong in accounts, as errors with stable codes the pages turn into messages."""

from allbuy.core.errors import ApplicationError, NotFound


class AddressNotFound(NotFound):
    """No such address in this person's address book (other people's addresses are not found either)."""

    code = "address_not_found"


class EmailChangeLinkInvalid(ApplicationError):
    code = "email_change_link_invalid"
