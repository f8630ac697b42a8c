"""Django project for the throwaway Oscar shop (configuration and seed data only).

The site lives in the folder named by the OSCAR_SITE_DIR environment variable: database,
search index, collected static files, media and outgoing mail all go there, never into the
repository.
"""
