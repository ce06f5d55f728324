"""Scrapy project commands (``COMMANDS_MODULE`` in xunjian/settings.py): ``scrapy crawl``."""
