"""The hospital record: the network edge that :mod:`logic` never is.

- ``fhir``: searching a FHIR R4 server for a patient's laboratory Observations (httpx, loaded when a search
  runs), mapped to Cobalt's analytes by :mod:`logic.convert`; every failure is a clear message.
- ``smart``, ``smart_token``, ``smart_store``, ``smart_routes``, ``smart_signins``: the SMART App Launch (EHR
  launch) that lets the record open Cobalt with the patient in context: settings and the iss allow-list,
  discovery, PKCE and the token exchange; the token response and its verified ID token; the short-lived launch
  state; the ``/launch`` and ``/launch/callback`` routes; a launched session as a sign-in for the gate.
"""
