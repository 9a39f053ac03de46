"""URL path converter for TSIDs: ``<tsid:look>`` gives the view a TSID int."""

from .fields import TSID
from .tsid import URL_REGEX, InvalidTSID


class TSIDConverter:
    regex = URL_REGEX

    def to_python(self, value: str) -> TSID:
        try:
            return TSID.parse(value)
        except InvalidTSID as exc:
            # The URL resolver treats ValueError as "no match": a 404, never a 500.
            raise ValueError(str(exc)) from exc

    def to_url(self, value) -> str:
        return str(TSID.parse(value))
