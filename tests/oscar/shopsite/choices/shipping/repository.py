from oscar.apps.shipping import repository

from .methods import Express, Standard


class Repository(repository.Repository):
    methods = (Standard(), Express())
