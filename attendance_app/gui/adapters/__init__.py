"""The ServicesBackend's parts, one per tab Protocol (gui/backend_protocols.py), each a mixin
over the shared state that `services_backend.ServicesBackend.__init__` sets up."""
