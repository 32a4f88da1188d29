"""URL converters shared by the apps."""


class DatabaseIdConverter:
    """A positive integer that fits the database's bigint: larger ones are plain 404s."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class DepartementCodeConverter:
    """``93``, ``2A``, ``974``: only shapes of real codes reach the view."""

    regex = r"[0-9]{2,3}|2[AaBb]"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value
