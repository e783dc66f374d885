"""The command line, ``python -m logic`` (contract: ``shared/design/case-format.md``).

- ``main``: the parser; each command's module is loaded only when it is the command asked for;
- ``assess``: ``assess CASE.json`` and ``serialize``, the one place typed results become the contract's JSON;
- ``schedule``: ``schedule`` (an injection plan as JSON, CSV or iCalendar);
- ``convert``: ``convert FILE`` between case JSON, CSV and FHIR; ``fhir``: ``convert --from-fhir`` (the one
  command that reaches the network, through :mod:`ehr.fhir`, loaded only for it);
- ``io``: reading input within the upload limit, writing output, failing with one line per problem.
"""

from logic.cli.main import main

__all__ = ["main"]
