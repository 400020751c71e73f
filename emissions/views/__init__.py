"""Views of the emissions app: climate accounts (`inventories`) and the yearly reporting
round (`reporting`)."""
