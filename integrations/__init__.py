"""Adapters to the outside: Twilio, FHIR R4, SIUSS (INPS), the console SMS transport."""
