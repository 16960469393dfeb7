"""Logging helpers: requests a client can make refused at will are logged without a traceback."""

import logging


class WithoutTraceback(logging.Filter):
    """Keep the message of a refused request (a forged Host, too many parameters), drop its
    traceback: the cause is the client, not the code, and a client can send thousands."""

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        return True
