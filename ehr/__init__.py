"""The hospital record: the network edge that :mod:`logic` never is.

- ``fhir``: searching a FHIR R4 server for a patient's laboratory Observations (httpx, loaded when a search
  runs), mapped to Cobalt's analytes by :mod:`logic.convert`; every failure is a clear message.
"""
