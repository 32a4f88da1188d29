"""The vault has no admin of its own: no staff member, coordinator or superuser has a
path to a document, its title or its file name.

Its entry in the admin panel (``/admin/vault/document/``) is the usage page, counts
and sizes by kind (the documents' clear category; their type is sealed), drawn by the
figures app from the vault's figures (``figures/admin.py``): the figures are above the
vault, and say who reads them.
"""
