"""Modal dialogs of the trust features (issue 7): passphrase, admin password, damaged database."""
